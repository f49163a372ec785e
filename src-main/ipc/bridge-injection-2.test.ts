import { defineCorpus } from './bridge-injection-corpus.js';

// Every channel under injection payloads, wrong types and hostile keys (see the corpus);
// the channels are split over two files so the suite runs on both cores.
defineCorpus(1, 2);
