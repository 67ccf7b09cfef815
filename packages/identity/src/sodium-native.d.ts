// sodium-native ships no types; fast-verify.ts describes the two functions it uses.
declare module "sodium-native";
