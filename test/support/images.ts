// Small images for tests that upload one.

/** A valid 1x1 PNG (PNG §5.2 signature, IHDR, IDAT, IEND). */
export const ONE_PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
