/**
 * Secrets never leave the process in text: every string that reaches a log, an error, a run event
 * or CLI output passes through a Redactor that knows the current secrets (passwords, the Basic
 * credential in every encoding it travels in, consumer secrets, tokens).
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): this {
    if (!secret || secret.length < 3) return this;
    this.secrets.add(secret);
    this.secrets.add(encodeURIComponent(secret));
    return this;
  }

  /** Also hides the base64 form a Basic Authorization header carries. */
  addBasic(username: string, password: string): this {
    this.add(password);
    this.add(Buffer.from(`${username}:${password}`).toString('base64'));
    return this;
  }

  text(s: string): string {
    let out = s;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }

  value<T>(v: T): T {
    if (this.secrets.size === 0) return v;
    return JSON.parse(this.text(JSON.stringify(v))) as T;
  }
}
