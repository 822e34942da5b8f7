// Types of bin/source-stamp.mjs (plain JavaScript so that it runs before any build).
export declare const STAMP_FILE: string;
export declare function sourceStamp(root: string): string;
export declare function builtStamp(root: string): string | undefined;
