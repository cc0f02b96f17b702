// What tools/build fixes for one image, served to the runtime entries as this module.
declare module 'micromine:build' {
  const build: import('../app/image.ts').BuildInfo;
  export default build;
}
