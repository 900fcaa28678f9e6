// A saved model imported by the Worker: a "Data" module rule makes *.wrnn files ArrayBuffer modules.
declare module "*.wrnn" {
  const bytes: ArrayBuffer;
  export default bytes;
}
