/** Vite's `?raw` imports (file text as a string), used for committed fixtures. */
declare module "*?raw" {
  const text: string;
  export default text;
}
