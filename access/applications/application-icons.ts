// An application's icon on the portal's Applications tab, uploaded by an administrator. Only
// small raster images are taken, recognised by their own signature bytes whatever the upload
// claims (PNG, JPEG, WebP; never SVG, which can carry script when opened on its own). An app
// without one is shown with a generated initial (views/app-icon.ts). Icons are kept as settings
// documents, one per application, beside its record.
import { NotFoundError, ValidationError } from '../../model/errors.ts';
import type { TransactionalStores } from '../../store/stores.ts';

export const MAX_ICON_BYTES = 64 * 1024;

export type IconType = 'image/png' | 'image/jpeg' | 'image/webp';

export interface ApplicationIcon {
  contentType: IconType;
  bytes: Buffer;
}

/** The settings document holding an application's icon; deleted with the application. */
export const applicationIconDocument = (applicationId: string) => `application-icon/${applicationId}`;
const docName = applicationIconDocument;

/** The image type its first bytes say (PNG §5.2 signature; JPEG SOI marker; RIFF…WEBP), or null. */
export function sniffIconType(bytes: Buffer): IconType | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

export class ApplicationIcons {
  constructor(private readonly deps: { stores: TransactionalStores<'settings' | 'applications'> }) {}

  /** Sets the icon; ValidationError for anything but a PNG, JPEG or WebP of at most 64 KB; NotFoundError for an unknown app. */
  async set(applicationId: string, bytes: Buffer, actor: string): Promise<{ contentType: IconType }> {
    if (bytes.length === 0) throw new ValidationError('Send the image as the request body');
    if (bytes.length > MAX_ICON_BYTES) throw new ValidationError(`An icon may be at most ${MAX_ICON_BYTES / 1024} KB; this one is ${Math.ceil(bytes.length / 1024)} KB`);
    const contentType = sniffIconType(bytes);
    if (!contentType) throw new ValidationError('An icon must be a PNG, JPEG or WebP image');
    await this.deps.stores.transaction(async (tx) => {
      if (!(await tx.applications.get(applicationId))) throw new NotFoundError('Application', applicationId);
      await tx.settings.put(docName(applicationId), { contentType, data: bytes.toString('base64') });
      await tx.audit.append({ actor, action: 'application.icon.set', target: `application/${applicationId}`, detail: { contentType, bytes: bytes.length } });
    });
    return { contentType };
  }

  async remove(applicationId: string, actor: string): Promise<void> {
    await this.deps.stores.transaction(async (tx) => {
      if (!(await tx.applications.get(applicationId))) throw new NotFoundError('Application', applicationId);
      await tx.settings.delete(docName(applicationId));
      await tx.audit.append({ actor, action: 'application.icon.remove', target: `application/${applicationId}`, detail: {} });
    });
  }

  async get(applicationId: string): Promise<ApplicationIcon | null> {
    const doc = await this.deps.stores.settings.get<{ contentType: IconType; data: string }>(docName(applicationId));
    return doc ? { contentType: doc.value.contentType, bytes: Buffer.from(doc.value.data, 'base64') } : null;
  }

  /** Which of these applications have an icon. */
  async withIcons(applicationIds: readonly string[]): Promise<Set<string>> {
    const found = await Promise.all(applicationIds.map(async (id) => ((await this.deps.stores.settings.get(docName(id))) ? id : null)));
    return new Set(found.filter((id): id is string => id !== null));
  }
}
