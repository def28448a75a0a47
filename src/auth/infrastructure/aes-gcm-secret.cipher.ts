import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../common/config';
import { SecretCipher, SecretKeyUnavailableError } from '../domain/secret-cipher';
import type { SealedSecret } from '../domain/totp-factor';

const FORMAT = 'v1';
const IV_BYTES = 12;
// Pinned on both sides: a decipher that took shorter tags would make forgery cheaper.
const TAG_BYTES = 16;

interface SealingKey {
  readonly id: string;
  readonly key: Buffer;
}

/**
 * A key from its configured text: HKDF-SHA256 to 32 bytes, whatever the text's length or alphabet.
 * Its id is a hash of the derived key, so it names the key without revealing it.
 */
function sealingKey(material: string): SealingKey {
  const key = Buffer.from(hkdfSync('sha256', material, '', 'tempmessenger mfa secrets', 32));
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key };
}

/**
 * AES-256-GCM: `v1.<iv>.<ciphertext>.<tag>` in base64url, under MFA_ENCRYPTION_KEY; the keys in
 * MFA_PREVIOUS_ENCRYPTION_KEYS still open what they sealed, until the rotation re-seals it.
 */
@Injectable()
export class AesGcmSecretCipher extends SecretCipher {
  private readonly current: SealingKey;
  private readonly keysById: ReadonlyMap<string, Buffer>;

  constructor(config: AppConfig) {
    super();
    this.current = sealingKey(config.mfa.encryptionKey);
    const previous = config.mfa.previousEncryptionKeys.map(sealingKey);
    this.keysById = new Map([...previous, this.current].map(({ id, key }) => [id, key]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  seal(secret: string, context: string): SealedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv).setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const parts = [iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url'));
    return { keyId: this.current.id, ciphertext: [FORMAT, ...parts].join('.') };
  }

  open(sealed: SealedSecret, context: string): string {
    const key = this.keysById.get(sealed.keyId);
    if (!key) throw new SecretKeyUnavailableError(sealed.keyId);
    const [format, iv, ciphertext, tag] = sealed.ciphertext.split('.');
    if (format !== FORMAT || !iv || !ciphertext || !tag) {
      throw new Error(`A second-factor secret is not in the ${FORMAT} format`);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    })
      .setAAD(Buffer.from(context))
      .setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }
}
