/** What an extension may be called: 2–30 characters, lower-case letters, digits and -, starting with a letter. */
export const EXTENSION_NAME = /^[a-z][a-z0-9-]{1,29}$/;
