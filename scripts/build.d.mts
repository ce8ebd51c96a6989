// Types of scripts/build.mjs, for the tests that build or start the compiled server.
export declare const ROOT: string;
export declare const DIST: string;
export declare const ENTRY: string;
export declare function newestInput(): number;
export declare function distIsCurrent(): boolean;
export declare function build(): boolean;
