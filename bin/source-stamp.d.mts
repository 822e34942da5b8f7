// Types of bin/source-stamp.mjs (plain JavaScript so that it runs before any build).
export declare const STAMP_FILE: string;
export declare function sourceStamp(root: string): string;
export declare function builtStamp(root: string): string | undefined;
export declare const MODEL_SOURCES: string[];
export declare const MODEL_FINGERPRINT_FILE: string;
export declare function modelFingerprint(root: string): string;
