// A reader for the protobuf text format (.txtpb), enough for P4Info files as
// p4c writes them: nested messages, repeated fields, enums by name, numbers,
// booleans and quoted strings (with C escapes, decoded as bytes for bytes
// fields). Field kinds come from the protobufjs schema, so a repeated field is
// an array even when it appears once.
import protobuf from 'protobufjs';

type Token = { kind: 'ident' | 'number' | 'string' | 'punct'; text: string; bytes?: Buffer; line: number };

export class TextFormatError extends Error {}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if ('{}<>:[],;'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, line });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const quote = c;
      const out: number[] = [];
      i++;
      while (i < src.length && src[i] !== quote) {
        const ch = src[i];
        if (ch === '\\') {
          const n = src[i + 1];
          const simple: Record<string, number> = {
            n: 10,
            r: 13,
            t: 9,
            '\\': 92,
            '"': 34,
            "'": 39,
            a: 7,
            b: 8,
            f: 12,
            v: 11,
          };
          if (n in simple) {
            out.push(simple[n]);
            i += 2;
            continue;
          }
          if (n === 'x') {
            const m = /^[0-9a-fA-F]{1,2}/.exec(src.slice(i + 2)) as RegExpExecArray;
            out.push(parseInt(m[0], 16));
            i += 2 + m[0].length;
            continue;
          }
          const oct = /^[0-7]{1,3}/.exec(src.slice(i + 1));
          if (oct) {
            out.push(parseInt(oct[0], 8));
            i += 1 + oct[0].length;
            continue;
          }
          throw new TextFormatError(`line ${line}: bad escape \\${n}`);
        }
        for (const b of Buffer.from(ch, 'utf8')) out.push(b);
        i++;
      }
      i++;
      const bytes = Buffer.from(out);
      tokens.push({ kind: 'string', text: bytes.toString('utf8'), bytes, line });
      continue;
    }
    const m = /^(-?(0[xX][0-9a-fA-F]+|[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?)|[A-Za-z_][A-Za-z0-9_.]*)/.exec(src.slice(i));
    if (!m) throw new TextFormatError(`line ${line}: unexpected character ${JSON.stringify(c)}`);
    tokens.push({ kind: /^-?[0-9]/.test(m[0]) ? 'number' : 'ident', text: m[0], line });
    i += m[0].length;
  }
  return tokens;
}

/** Parse text format into a plain object accepted by `type.fromObject`. */
export function parseTextFormat(src: string, type: protobuf.Type): Record<string, unknown> {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const next = (): Token => {
    const t = tokens[pos++];
    if (!t) throw new TextFormatError('unexpected end of input');
    return t;
  };

  function parseMessage(t: protobuf.Type, close: string | undefined): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    for (;;) {
      const tok = peek();
      if (!tok) {
        if (close) throw new TextFormatError(`missing ${close}`);
        return obj;
      }
      if (tok.kind === 'punct' && tok.text === close) {
        pos++;
        return obj;
      }
      if (tok.kind === 'punct' && (tok.text === ',' || tok.text === ';')) {
        pos++;
        continue;
      }
      const name = next();
      if (name.kind !== 'ident')
        throw new TextFormatError(`line ${name.line}: expected a field name, got ${name.text}`);
      const field = t.fields[name.text];
      if (!field) throw new TextFormatError(`line ${name.line}: ${t.fullName} has no field ${name.text}`);
      field.resolve();
      if (peek()?.text === ':') pos++;
      const values: unknown[] = [];
      if (peek()?.text === '[') {
        pos++;
        while (peek()?.text !== ']') {
          if (peek()?.text === ',') {
            pos++;
            continue;
          }
          values.push(parseValue(field));
        }
        pos++;
      } else {
        values.push(parseValue(field));
      }
      if (field.repeated) {
        const arr = (obj[name.text] as unknown[] | undefined) ?? [];
        arr.push(...values);
        obj[name.text] = arr;
      } else {
        obj[name.text] = values[values.length - 1];
      }
    }
  }

  function parseValue(field: protobuf.Field): unknown {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) {
      const open = next();
      if (open.text !== '{' && open.text !== '<')
        throw new TextFormatError(`line ${open.line}: expected { for ${field.name}`);
      return parseMessage(resolved, open.text === '{' ? '}' : '>');
    }
    const tok = next();
    if (resolved instanceof protobuf.Enum) {
      if (tok.kind === 'number') return Number(tok.text);
      if (!(tok.text in resolved.values))
        throw new TextFormatError(`line ${tok.line}: ${tok.text} is not a value of ${resolved.name}`);
      return tok.text;
    }
    switch (field.type) {
      case 'string':
        if (tok.kind !== 'string') throw new TextFormatError(`line ${tok.line}: ${field.name} needs a string`);
        return tok.text;
      case 'bytes':
        if (tok.kind !== 'string') throw new TextFormatError(`line ${tok.line}: ${field.name} needs a string`);
        return tok.bytes;
      case 'bool':
        if (tok.text === 'true' || tok.text === 't' || tok.text === '1') return true;
        if (tok.text === 'false' || tok.text === 'f' || tok.text === '0') return false;
        throw new TextFormatError(`line ${tok.line}: ${field.name} needs true or false`);
      default:
        if (tok.kind !== 'number') throw new TextFormatError(`line ${tok.line}: ${field.name} needs a number`);
        // 64-bit fields keep full precision as decimal text.
        return ['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'].includes(field.type)
          ? BigInt(tok.text).toString()
          : Number(tok.text);
    }
  }

  return parseMessage(type, undefined);
}
