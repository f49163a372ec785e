/**
 * Passwords refused because they top every breach list, plus clinic-flavoured guesses.
 * Compared after lower-casing; a password containing its clinic's or user's name is
 * refused separately.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '1234567890', '0123456789', '12345678910', '123456789a', 'a123456789', '1234567890a', '0987654321',
  '1111111111', '0000000000', '1122334455', '1234512345', '1q2w3e4r5t', '1q2w3e4r5t6y', 'q1w2e3r4t5',
  'qwertyuiop', 'qwertyuiop1', 'asdfghjkl1', 'asdfghjkl;', 'zxcvbnm123', 'qwerty1234', 'qwerty12345',
  'qwerty123456', 'qazwsxedc1', 'qazwsxedcrfv', '1qaz2wsx3edc', 'zaq12wsxcde3', 'abcdefghij', 'abcd123456',
  'abc1234567', 'abcdef1234', 'password', 'password1', 'password12', 'password123', 'password1234',
  'password!', 'password@123', 'passw0rd123', 'p@ssw0rd123', 'p@ssword123', 'passwordpassword',
  'iloveyou123', 'iloveyou12', 'sunshine123', 'princess123', 'football123', 'baseball123', 'welcome123',
  'welcome@123', 'welcome1234', 'letmein1234', 'letmein123', 'monkey12345', 'dragon12345', 'master12345',
  'trustno1234', 'superman123', 'batman12345', 'starwars123', 'shadow12345', 'michael1234', 'jennifer123',
  'computer123', 'internet123', 'whatever123', 'changeme123', 'changeme12', 'admin12345', 'admin123456',
  'administrator', 'admin@1234', 'admin@12345', 'adminadmin', 'rootroot12', 'root123456', 'test123456',
  'testtest12', 'guest12345', 'user123456', 'login12345', 'secret1234', 'secret12345', 'default123',
  'india12345', 'india@1234', 'india@123', 'bharat1234', 'mumbai1234', 'delhi12345', 'chennai123',
  'kolkata123', 'bangalore1', 'hyderabad1', 'krishna123', 'ganesh1234', 'jaishreeram', 'omnamahshivaya',
  'saibaba123', 'sachin1234', 'cricket123', 'cricket1234', 'mahadev123', 'hanuman123', 'lakshmi123',
  'hospital123', 'hospital@123', 'clinic1234', 'clinic@123', 'clinic12345', 'doctor1234', 'doctor@123',
  'doctor12345', 'medical123', 'health1234', 'nurse12345', 'patient123', 'reception1', 'reception123',
  'kavach1234', 'kavach@123', 'kavach12345', 'aaaaaaaaaa', 'abcabcabc1', 'asdfasdf12', 'qweasdzxc1',
  'poiuytrewq', 'mnbvcxzlkj', 'lovelove12', 'loveyou1234', 'happy12345', 'summer2024', 'summer2025',
  'summer2026', 'winter2025', 'winter2026', 'spring2026', 'january2026', 'monday1234', 'freedom123',
  'hello12345', 'hello@1234', 'helloworld', 'helloworld1', 'goodluck12', 'blessed123', 'samsung123',
  'nokia12345', 'google1234', 'facebook123', 'whatsapp123', 'mypassword', 'mypassword1', 'newpassword',
  'newpassword1', 'yourpassword', 'passpass12', 'pass123456', 'pass@12345', 'temp123456', 'temporary1',
]);

export function isCommonPassword(candidate: string): boolean {
  const lower = candidate.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return true;
  // One character repeated, or a run of consecutive digits, is as weak as any list entry.
  if (/^(.)\1+$/.test(lower)) return true;
  return '01234567890123456789'.includes(lower) || '98765432109876543210'.includes(lower);
}
