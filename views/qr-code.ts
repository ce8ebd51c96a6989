// A QR code as inline SVG (no image request, nothing for the CSP to allow), for an authenticator
// app's camera. The `qrcode` package encodes it (ISO/IEC 18004).
import QRCode from 'qrcode';
import { raw, type SafeHtml } from './html.ts';

export async function qrCodeSvg(text: string, label: string): Promise<SafeHtml> {
  const svg = await QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  // role=img with a name: a screen reader announces what the picture is instead of skipping it.
  return raw(svg.replace('<svg ', `<svg role="img" aria-label="${label.replace(/[&<>"']/g, '')}" width="200" height="200" `));
}
