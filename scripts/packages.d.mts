export interface PublishablePackage {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  readonly manifest: {
    readonly name: string;
    readonly version: string;
    readonly dependencies?: Readonly<Record<string, string>>;
    readonly devDependencies?: Readonly<Record<string, string>>;
  };
}
export function publishablePackages(root: string): PublishablePackage[];
export function betterSqlitePrebuildEnv(root: string, into: string): Record<string, string>;
export function cleanNpmEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
