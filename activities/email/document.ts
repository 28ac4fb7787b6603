/** The message document and its text and HTML parts live in lib/ (the API's notice preview prints them too). */
export * from '../../lib/email-document.js';
