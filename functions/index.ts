// Registers every function of functions/manifest.ts with functions-framework. Loading this module
// registers handlers only: no env is read and no client is created until a request arrives.
import './api';
import './executor';
import './workers';
import './scheduler';
import './pubsub-trigger';
