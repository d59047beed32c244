/* Site search (预算绩效目标公开): the client of the index written by generator/search/.
 *
 * A classic script, no modules and no fetch: index files are scripts that call
 * window.__ds(name, data), so the search works from a disk (file://) as well as
 * from any static web server. It implements the same algorithm as
 * generator/search/read.py query() (the tests run that one), step by step:
 *   1. normalise the query (NFKC, case folding, one space) and split it into words;
 *   2. look up each word's keys (the word itself or its trigrams, whole tokens) in the term shards;
 *   3. intersect postings into candidates: every page containing every word is one;
 *   4. rank: a match in the title first, the words as one phrase before scattered,
 *      whole-token matches (31.9, not 131.9) first; then site order;
 *   5. load each result's document, check that it really contains every word
 *      (so nothing is shown that does not), and show it with an excerpt.
 * Text from the index is only ever put in the page as text nodes.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  function attr(el, name) { return el ? el.getAttribute(name) : null; }
  var ROOT = attr(script, "data-root") || attr(document.documentElement, "data-root") || "";
  var BASE = ROOT + "search/";
  var SCOPE = attr(script, "data-scope") || "all";

  var PAGE_SIZE = 10, SMALL = 2048, VERIFY_LIMIT = 60;
  var MAX_COMPONENTS = 4, MAX_TOKEN = 32;

  /* ---------- normalisation: the same as normalize() in generator/search/text.py ---------- */

  var CONTROL = /[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]/g;
  var WS = /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
  var WS1 = /^[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;
  // Characters whose case folding (Python str.casefold) differs from toLowerCase(), as
  // "code=code.code" or "first-last:offset" (hex); generated from Python's Unicode tables.
  var FOLD_SPEC = "b5=3bc,df=73.73,149=2bc.6e,17f=73,1f0=6a.30c,345=3b9,390=3b9.308.301,3b0=3c5.308.301,3c2=3c3,3d0=3b2,3d1=3b8,3d5=3c6,3d6=3c0,3f0=3ba,3f1=3c1,3f5=3b5,587=565.582,13f8-13fd:-8,1c80=432,1c81=434,1c82=43e,1c83-1c84:-6210,1c85=442,1c86=44a,1c87=463,1c88=a64b,1e96=68.331,1e97=74.308,1e98=77.30a,1e99=79.30a,1e9a=61.2be,1e9b=1e61,1f50=3c5.313,1f52=3c5.313.300,1f54=3c5.313.301,1f56=3c5.313.342,1f80=1f00.3b9,1f81=1f01.3b9,1f82=1f02.3b9,1f83=1f03.3b9,1f84=1f04.3b9,1f85=1f05.3b9,1f86=1f06.3b9,1f87=1f07.3b9,1f90=1f20.3b9,1f91=1f21.3b9,1f92=1f22.3b9,1f93=1f23.3b9,1f94=1f24.3b9,1f95=1f25.3b9,1f96=1f26.3b9,1f97=1f27.3b9,1fa0=1f60.3b9,1fa1=1f61.3b9,1fa2=1f62.3b9,1fa3=1f63.3b9,1fa4=1f64.3b9,1fa5=1f65.3b9,1fa6=1f66.3b9,1fa7=1f67.3b9,1fb2=1f70.3b9,1fb3=3b1.3b9,1fb4=3ac.3b9,1fb6=3b1.342,1fb7=3b1.342.3b9,1fbe=3b9,1fc2=1f74.3b9,1fc3=3b7.3b9,1fc4=3ae.3b9,1fc6=3b7.342,1fc7=3b7.342.3b9,1fd2=3b9.308.300,1fd3=3b9.308.301,1fd6=3b9.342,1fd7=3b9.308.342,1fe2=3c5.308.300,1fe3=3c5.308.301,1fe4=3c1.313,1fe6=3c5.342,1fe7=3c5.308.342,1ff2=1f7c.3b9,1ff3=3c9.3b9,1ff4=3ce.3b9,1ff6=3c9.342,1ff7=3c9.342.3b9,ab70-abbf:-38864,fb00=66.66,fb01=66.69,fb02=66.6c,fb03=66.66.69,fb04=66.66.6c,fb05=73.74,fb06=73.74,fb13=574.576,fb14=574.565,fb15=574.56b,fb16=57e.576,fb17=574.56d";
  var FOLD = {};
  FOLD_SPEC.split(",").forEach(function (item) {
    var range = item.match(/^([0-9a-f]+)-([0-9a-f]+):(-?\d+)$/), cp;
    if (range) {
      for (cp = parseInt(range[1], 16); cp <= parseInt(range[2], 16); cp++) {
        FOLD[String.fromCodePoint(cp)] = String.fromCodePoint(cp + parseInt(range[3], 10));
      }
    } else {
      var kv = item.split("=");
      FOLD[String.fromCodePoint(parseInt(kv[0], 16))] = kv[1].split(".").map(function (h) {
        return String.fromCodePoint(parseInt(h, 16));
      }).join("");
    }
  });
  var NON_ASCII = /[^\x00-\x7f]/;

  function fold(text) {
    if (!NON_ASCII.test(text)) return text;
    var out = "";
    for (var ch of text) out += FOLD[ch] || ch;
    return out;
  }

  function normalize(text) {
    text = text.replace(CONTROL, "").normalize("NFKC").toLowerCase();
    text = fold(text).normalize("NFKC");
    text = text.replace(WS, " ").replace(/^ +| +$/g, "");
    if (HAS_DIGIT.test(text)) {
      NUMBER_RULES.forEach(function (rule, r) {
        var gone = numberDeletions(r, text);
        if (gone.length) text = text.split("").filter(function (_, i) { return !gone.marks[i]; }).join("");
      });
    }
    return text;
  }

  // Numbers are written one way (the rules of number_deletions() in generator/search/text.py):
  // no thousands separators, no zeros ending a fraction, no space before a unit or after a comparison.
  var HAS_DIGIT = /[0-9]/;
  var NUMBER_RULES = [
    /(?<![0-9.,])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9]|,[0-9])/g,
    /(?<![0-9.])[0-9]+\.[0-9]*?(0+)(?![0-9.])/g,
    /(?<=[0-9%]) (?=[%\u2030\u3400-\u4dbf\u4e00-\u9fff])|(?<=[<>\u2264\u2265=\u2260]) (?=[0-9])/g
  ];

  // The positions (UTF-16 units of normalised text) a rule deletes, as a list with a .marks lookup.
  function numberDeletions(r, text) {
    var rule = NUMBER_RULES[r], gone = [], m, i;
    gone.marks = {};
    function del(k) { if (!gone.marks[k]) { gone.marks[k] = 1; gone.push(k); } }
    rule.lastIndex = 0;
    while ((m = rule.exec(text))) {
      if (r === 0) {
        for (i = m.index; i < m.index + m[0].length; i++) if (text[i] === ",") del(i);
      } else if (r === 1) {
        var start = m.index + m[0].length - m[1].length;
        for (i = start; i < m.index + m[0].length; i++) del(i);
        if (text[start - 1] === ".") del(start - 1);
      } else {
        del(m.index);
      }
      if (!m[0].length) rule.lastIndex++;
    }
    return gone;
  }

  /* ---------- keys ---------- */

  var RUN = /[a-z0-9]+(?:[-.\/_,:][a-z0-9]+)*/g;
  var RUN_FULL = /^[a-z0-9]+(?:[-.\/_,:][a-z0-9]+)*$/;
  var COMPONENT = /[a-z0-9]+/g;

  function unique(list) {
    var seen = {}, out = [];
    list.forEach(function (x) { if (!seen.hasOwnProperty(x)) { seen[x] = 1; out.push(x); } });
    return out;
  }

  function spans(text, re, offset) {
    var out = [], m;
    re.lastIndex = 0;
    while ((m = re.exec(text))) out.push([m.index + offset, m.index + offset + m[0].length, m[0]]);
    return out;
  }

  // Compare strings by code point, as Python does.
  function cmpStr(a, b) {
    var i = 0, j = 0;
    while (i < a.length && j < b.length) {
      var x = a.codePointAt(i), y = b.codePointAt(j);
      if (x !== y) return x < y ? -1 : 1;
      i += x > 0xffff ? 2 : 1;
      j += y > 0xffff ? 2 : 1;
    }
    return i < a.length ? 1 : j < b.length ? -1 : 0;
  }

  function planWord(word) {
    var chars = Array.from(word), grams = [], i, k;
    if (chars.length <= 3) grams = [word];  // a key of its own: exactly the pages with the word
    else for (i = 0; i + 2 < chars.length; i++) grams.push(chars[i] + chars[i + 1] + chars[i + 2]);
    grams = unique(grams);
    var exact = null;
    if (RUN_FULL.test(word) && word.length <= MAX_TOKEN && word.match(COMPONENT).length <= MAX_COMPONENTS) exact = "T" + word;
    var tokens = [];
    spans(word, RUN, 0).forEach(function (run) {
      var start = run[0], end = run[1];
      var comps = spans(run[2], COMPONENT, start);
      var whole = comps.map(function (c, n) { return (n > 0 || start > 0) && (n < comps.length - 1 || end < word.length); });
      i = 0;
      while (i < comps.length) {
        if (!whole[i]) { i++; continue; }
        var j = i;
        while (j + 1 < comps.length && whole[j + 1]) j++;
        var width = Math.min(MAX_COMPONENTS, j - i + 1);
        for (k = i; k <= j - width + 1; k++) {
          var a = comps[k][0], b = comps[k + width - 1][1];
          if (b - a <= MAX_TOKEN) tokens.push("T" + word.slice(a, b));
        }
        i = j + 1;
      }
    });
    tokens = unique(tokens);
    // The keys looked up: any subset keeps recall; see WordPlan.required in search/text.py.
    var looked = grams;
    if ((tokens.length || exact) && grams.length > 2) looked = [grams[0], grams[grams.length - 1]];
    else if (grams.length > 4) {
      var m = grams.length - 1, picks = {};
      for (i = 0; i < 4; i++) picks[Math.floor((2 * i * m + 3) / 6)] = 1;
      looked = Object.keys(picks).map(Number).sort(function (x, y) { return x - y; }).map(function (n) { return grams[n]; });
    }
    var required = looked.concat(tokens.filter(function (t) { return looked.indexOf(t) < 0; }));
    return { word: word, length: chars.length, grams: grams, tokens: tokens, exact: exact, required: required };
  }

  function queryWords(q) {
    var words = unique(normalize(q).split(" ").filter(Boolean));
    return words.filter(function (w, i) {
      return !words.some(function (o, j) { return j !== i && w !== o && o.indexOf(w) >= 0; });
    });
  }

  /* ---------- CRC-32 of a key's UTF-8 bytes: picks its shard ---------- */

  var CRC = (function () {
    var t = [], c, n, k;
    for (n = 0; n < 256; n++) {
      c = n;
      for (k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
    return t;
  })();

  function keyHash(key) {
    var crc = 0xffffffff;
    function add(byte) { crc = CRC[(crc ^ byte) & 0xff] ^ (crc >>> 8); }
    for (var ch of key) {
      var cp = ch.codePointAt(0);
      if (cp < 0x80) add(cp);
      else if (cp < 0x800) { add(0xc0 | (cp >> 6)); add(0x80 | (cp & 63)); }
      else if (cp < 0x10000) { add(0xe0 | (cp >> 12)); add(0x80 | ((cp >> 6) & 63)); add(0x80 | (cp & 63)); }
      else { add(0xf0 | (cp >> 18)); add(0x80 | ((cp >> 12) & 63)); add(0x80 | ((cp >> 6) & 63)); add(0x80 | (cp & 63)); }
    }
    return (crc ^ 0xffffffff) >>> 0;
  }

  /* ---------- postings ---------- */

  var DIGIT = {};
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach(function (c, i) { DIGIT[c] = i; });

  function varints(text, start) {
    var out = [], value = 0, scale = 1;
    for (var i = start; i < text.length; i++) {
      var d = DIGIT[text[i]];
      if (d >= 32) { out.push(value + (d - 32) * scale); value = 0; scale = 1; }
      else { value += d * scale; scale *= 32; }
    }
    return out;
  }

  function decodePosting(text, n) {
    var kind = text[0], out = [], values, i, prev;
    if (kind === "D") {
      values = varints(text, 1);
      for (i = 0; i < values.length; i++) { prev = i === 0 ? values[0] : prev + values[i] + 1; out.push(prev); }
    } else if (kind === "B") {
      var k = 1;
      while (DIGIT[text[k]] < 32) k++;
      var first = varints(text.slice(1, k + 1), 0)[0];
      for (i = k + 1; i < text.length; i++) {
        var v = DIGIT[text[i]], base = first + 6 * (i - k - 1);
        for (var b = 0; b < 6; b++) if (v & (32 >> b)) out.push(base + b);
      }
    } else if (kind === "R") {
      values = varints(text, 1);
      var end = -1;
      for (i = 0; i + 1 < values.length; i += 2) {
        var s = end + 1 + values[i];
        for (var d = s; d <= s + values[i + 1]; d++) out.push(d);
        end = s + values[i + 1];
      }
    } else if (kind === "C") {
      var missing = text.length > 1 ? decodePosting("D" + text.slice(1), n) : [], m = 0;
      for (i = 0; i < n; i++) { if (m < missing.length && missing[m] === i) m++; else out.push(i); }
    } else throw new Error("bad posting");
    return out;
  }

  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) i++; else j++;
    }
    return out;
  }

  function marks(n, list) {
    var set = new Uint8Array(n);
    for (var i = 0; i < list.length; i++) set[list[i]] = 1;
    return set;
  }

  /* ---------- documents: zlib streams in base64 (generator/search/partition.py packed) ---------- */

  // Inflate (RFC 1950/1951) in the manner of zlib's puff.c: small rather than fast, and
  // documents are a few kilobytes. DecompressionStream would do it natively, but not in
  // every browser citizens read with, and not in one code path with the older ones.
  var LBASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
  var LEXT = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  var DBASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
    4097, 6145, 8193, 12289, 16385, 24577];
  var DEXT = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
  var ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

  function huffman(lengths) {
    var count = [], offs = [0, 0], symbol = [], i;
    for (i = 0; i < 16; i++) count[i] = 0;
    for (i = 0; i < lengths.length; i++) count[lengths[i]]++;
    for (i = 1; i < 15; i++) offs[i + 1] = offs[i] + count[i];
    for (i = 0; i < lengths.length; i++) if (lengths[i]) symbol[offs[lengths[i]]++] = i;
    return { count: count, symbol: symbol };
  }

  function fill(value, n) {
    var out = [];
    while (n--) out.push(value);
    return out;
  }
  var FIXED_LIT = huffman(fill(8, 144).concat(fill(9, 112), fill(7, 24), fill(8, 8)));
  var FIXED_DIST = huffman(fill(5, 30));

  function inflate(src) {
    var at = 2, buf = 0, have = 0, out = [], last, type, i;  // at 2: past the zlib header
    function fail() { throw new Error("inflate"); }
    function bits(n) {
      while (have < n) {
        if (at >= src.length) fail();
        buf |= src[at++] << have;
        have += 8;
      }
      var v = buf & ((1 << n) - 1);
      buf >>>= n;
      have -= n;
      return v;
    }
    function decode(h) {
      var code = 0, first = 0, index = 0, c;
      for (var len = 1; len < 16; len++) {
        code |= bits(1);
        c = h.count[len];
        if (code - c < first) return h.symbol[index + code - first];
        index += c;
        first = (first + c) << 1;
        code <<= 1;
      }
      return fail();
    }
    if ((src[0] & 15) !== 8 || ((src[0] << 8) | src[1]) % 31) fail();
    do {
      last = bits(1);
      type = bits(2);
      if (type === 0) {
        buf = have = 0;  // to the byte boundary: fewer than 8 bits are ever held
        var size = src[at] | (src[at + 1] << 8);
        if (at + 4 + size > src.length || (size ^ (src[at + 2] | (src[at + 3] << 8))) !== 0xffff) fail();
        for (i = at + 4; i < at + 4 + size; i++) out.push(src[i]);
        at += 4 + size;
        continue;
      }
      var lit = FIXED_LIT, dist = FIXED_DIST;
      if (type === 2) {
        var nlen = bits(5) + 257, ndist = bits(5) + 1, ncode = bits(4) + 4, lengths = fill(0, 19), sym, rep, prev;
        for (i = 0; i < ncode; i++) lengths[ORDER[i]] = bits(3);
        var codes = huffman(lengths);
        lengths = [];
        while (lengths.length < nlen + ndist) {
          sym = decode(codes);
          if (sym < 16) { lengths.push(sym); continue; }
          prev = 0;
          if (sym === 16) {
            if (!lengths.length) fail();
            prev = lengths[lengths.length - 1];
            rep = 3 + bits(2);
          } else rep = sym === 17 ? 3 + bits(3) : 11 + bits(7);
          while (rep--) lengths.push(prev);
        }
        if (lengths.length > nlen + ndist) fail();
        lit = huffman(lengths.slice(0, nlen));
        dist = huffman(lengths.slice(nlen));
      } else if (type !== 1) fail();
      for (;;) {
        sym = decode(lit);
        if (sym < 256) out.push(sym);
        else if (sym === 256) break;
        else {
          sym -= 257;
          if (sym >= 29) fail();
          var length = LBASE[sym] + bits(LEXT[sym]), d = decode(dist);
          if (d >= 30) fail();
          var from = out.length - DBASE[d] - bits(DEXT[d]);
          if (from < 0) fail();
          for (i = 0; i < length; i++) out.push(out[from + i]);
        }
      }
    } while (!last);
    var a = 1, b = 0;  // the stream's Adler-32 checksum: a damaged file is refused, not shown
    for (i = 0; i < out.length; i++) {
      a = (a + out[i]) % 65521;
      b = (b + a) % 65521;
    }
    if (at + 4 > src.length || (((src[at] << 24) | (src[at + 1] << 16) | (src[at + 2] << 8) | src[at + 3]) >>> 0)
        !== ((b << 16) | a) >>> 0) fail();
    return out;
  }

  function utf8(bytes) {
    if (window.TextDecoder) return new TextDecoder("utf-8").decode(new Uint8Array(bytes));
    var text = "";
    for (var i = 0; i < bytes.length; i += 8192) text += String.fromCharCode.apply(null, bytes.slice(i, i + 8192));
    return decodeURIComponent(escape(text));
  }

  function unpack(data) {
    if (typeof data !== "string") throw new Error("document");
    var raw = atob(data), bytes = [];
    for (var i = 0; i < raw.length; i++) bytes.push(raw.charCodeAt(i));
    return JSON.parse(utf8(inflate(bytes)));
  }

  /* ---------- loading index files as scripts ---------- */

  var cache = {}, pending = {}, docs = {};
  var loadedNames = [];
  window.__ds = function (name, data) {
    var p = pending[name];
    if (p) { delete pending[name]; p.resolve(data); }
  };

  function load(name) {
    if (!cache[name]) {
      cache[name] = new Promise(function (resolve, reject) {
        pending[name] = { resolve: resolve, reject: reject };
        var el = document.createElement("script");
        el.src = BASE + name + ".js";
        el.async = true;
        el.onload = function () {
          el.parentNode && el.parentNode.removeChild(el);
          if (pending[name]) { delete pending[name]; delete cache[name]; reject(new Error(name)); }
        };
        el.onerror = function () {
          el.parentNode && el.parentNode.removeChild(el);
          delete pending[name];
          delete cache[name];
          reject(new Error(name));
        };
        loadedNames.push(name);
        (document.head || document.documentElement).appendChild(el);
      });
    }
    return cache[name];
  }

  function Scope(name, manifest) {
    this.name = name;
    this.m = manifest;
    this.n = manifest.n;
    this.docText = {};
  }
  // An external posting [j, size] comes back as [shard, j, size]: its file is p/<shard>/<j>.
  Scope.prototype.entry = function (key) {
    var s = keyHash(key) & (this.m.shards - 1);
    return load(this.name + "/t/" + s).then(function (shard) {
      if (!Object.prototype.hasOwnProperty.call(shard, key)) return null;
      return shard[key].map(function (v) { return typeof v === "string" || typeof v === "number" ? v : [s, v[0], v[1]]; });
    });
  };
  Scope.prototype.posting = function (entry, slot) {
    var value = entry[slot], n = this.n;
    var got = typeof value === "string" ? Promise.resolve(value)
      : load(this.name + "/p/" + value[0] + "/" + value[1]);
    return got.then(function (text) { return decodePosting(text, n); });
  };
  Scope.prototype.doc = function (n) {
    var parts = this.m.parts;
    for (var i = 0; i < parts.length; i++) {
      if (parts[i][1] <= n && n < parts[i][1] + parts[i][2]) {
        var local = n - parts[i][1];
        var name = parts[i][0] + "/d/" + Math.floor(local / 1000) + "/" + (local % 1000);
        if (!docs[name]) {
          docs[name] = load(name).then(unpack);
          docs[name].then(null, function () { delete docs[name]; });
        }
        return docs[name];
      }
    }
    return Promise.reject(new Error("doc " + n));
  };
  Scope.prototype.texts = function (n, doc) {
    if (!this.docText[n]) this.docText[n] = doc.f.map(function (f) { return normalize(f[2]); });
    return this.docText[n];
  };

  var scopes = {};
  function openScope(name) {
    if (!scopes[name]) {
      scopes[name] = load(name + "/manifest").then(function (m) {
        if (!m.view) return new Scope(name, m);
        // An edition's index is its range of the site-wide terms: that scope, filtered to the edition.
        return openScope(m.view).then(function (whole) {
          var view = Object.create(whole);
          view.only = m.edition;
          view.own = m;
          return view;
        });
      });
    }
    return scopes[name];
  }

  function size(entry, slot) { var v = entry[slot]; return typeof v === "string" ? 0 : v[2]; }
  function bySelectivity(entries) {
    return function (a, b) {
      return entries[a][0] - entries[b][0] || size(entries[a], 1) - size(entries[b], 1) || cmpStr(a, b);
    };
  }
  function cmpKey(a, b) {
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
  }

  /* ---------- the query ---------- */

  // Resolve to {words, count, exact, hits:[{n, key, doc}]}: the first `limit` results.
  function search(scopeName, q, opts, limit) {
    opts = opts || {};
    limit = limit || PAGE_SIZE;
    return openScope(scopeName).then(function (scope) {
      var words = queryWords(q);
      var result = { words: words, count: 0, exact: true, hits: [] };
      if (scope.only) {
        if (opts.edition && Number(opts.edition) !== scope.only) return result;
        opts = Object.assign({}, opts, { edition: scope.only });
      }
      if (!words.length) return result;
      var plans = words.map(planWord);
      var keys = [];
      plans.forEach(function (p) { keys = keys.concat(p.required, p.exact ? [p.exact] : []); });
      var junctions = [];
      for (var w = 0; w + 1 < words.length; w++) {
        var a = Array.from(words[w]), b = Array.from(words[w + 1]);
        junctions.push(a[a.length - 1] + b[0]);
      }
      keys = keys.concat(junctions);
      if (opts.department) keys.push("D" + opts.department);
      if (opts.level1) keys.push("L" + opts.level1);
      keys = unique(keys).sort(cmpStr);
      var entries = {};
      return Promise.all(keys.map(function (k) {
        return scope.entry(k).then(function (e) { entries[k] = e; });
      })).then(function () {
        if (plans.some(function (p) { return p.required.some(function (k) { return !entries[k]; }); })) return result;
        // candidates: each word's cheapest posting, then more while cheap
        // candidates: each word's most selective key, and any other of its keys that costs little
        var chosen = [], inChosen = {};
        plans.forEach(function (p) {
          var k = p.required.slice().sort(bySelectivity(entries))[0];
          chosen.push(k);
          inChosen[k] = 1;
        });
        unique([].concat.apply([], plans.map(function (p) { return p.required; })))
          .filter(function (k) { return !inChosen[k] && size(entries[k], 1) <= SMALL; })
          .forEach(function (k) { chosen.push(k); });
        chosen = unique(chosen);
        var titleKeys = plans.map(function (p) {
          return p.required.slice().sort(function (x, y) {
            var cx = entries[x].length > 2 ? entries[x][2] : 0, cy = entries[y].length > 2 ? entries[y][2] : 0;
            return cx - cy || cmpStr(x, y);
          })[0];
        });
        var jobs = chosen.map(function (k) { return scope.posting(entries[k], 1); });
        var filters = [opts.department ? "D" + opts.department : null, opts.level1 ? "L" + opts.level1 : null]
          .filter(Boolean);
        jobs = jobs.concat(filters.map(function (k) {
          return entries[k] ? scope.posting(entries[k], 1) : Promise.resolve([]);
        }));
        jobs = jobs.concat(plans.map(function (p) {
          return p.exact && entries[p.exact] ? scope.posting(entries[p.exact], 1) : Promise.resolve([]);
        }));
        jobs = jobs.concat(titleKeys.map(function (k) {
          return entries[k].length > 2 ? scope.posting(entries[k], 3) : Promise.resolve([]);
        }));
        var phraseMissing = words.length > 1 && junctions.some(function (k) { return !entries[k]; });
        jobs = jobs.concat(words.length > 1 && !phraseMissing ? junctions.map(function (k) {
          return scope.posting(entries[k], 1);
        }) : []);
        return Promise.all(jobs).then(function (lists) {
          var at = 0, cands = null, i;
          for (i = 0; i < chosen.length; i++, at++) cands = cands === null ? lists[at] : intersect(cands, lists[at]);
          if (opts.edition) {
            var ranges = scope.m.editions.filter(function (e) { return e[0] === Number(opts.edition); });
            cands = cands.filter(function (d) {
              return ranges.some(function (r) { return r[1] <= d && d < r[1] + r[2]; });
            });
          }
          for (i = 0; i < filters.length; i++, at++) cands = intersect(cands, lists[at]);
          var exactSets = plans.map(function () { return marks(scope.n, lists[at++]); });
          var titleSets = plans.map(function () { return marks(scope.n, lists[at++]); });
          var phrase = null;
          if (words.length > 1) {
            phrase = new Uint8Array(scope.n);
            if (!phraseMissing) {
              var inter = null;
              junctions.forEach(function () { inter = inter === null ? lists[at] : intersect(inter, lists[at]); at++; });
              inter.forEach(function (d) { phrase[d] = 1; });
            }
          }
          function xMiss(d) {
            var x = 0;
            plans.forEach(function (p, i) { if (p.exact && !exactSets[i][d]) x++; });
            return x;
          }
          function estimate(d) {
            var t = 0;
            titleSets.forEach(function (s) { if (!s[d]) t++; });
            return [t, phrase === null || phrase[d] ? 0 : 1, xMiss(d), d];
          }
          function sure(d) {
            return plans.every(function (p, i) { return p.length <= 3 || exactSets[i][d]; });
          }
          result.count = cands.length;
          result.exact = cands.every(sure);
          var joined = words.join("");
          function check(d) {
            return scope.doc(d).then(function (doc) {
              var texts = scope.texts(d, doc);
              var has = function (w) { return texts.some(function (t) { return t.indexOf(w) >= 0; }); };
              if (!words.every(has)) return null;
              var title = texts.slice(0, doc.h), t = 0;
              words.forEach(function (w) { if (!title.some(function (x) { return x.indexOf(w) >= 0; })) t++; });
              var ph = words.length === 1 || texts.some(function (x) { return x.indexOf(joined) >= 0; }) ? 0 : 1;
              return { key: [t, ph, xMiss(d), d], doc: doc };
            });
          }
          var capped = { value: false };
          var ranked = opts.sort === "amount" ? byAmount(scope, cands, check, limit)
            : byRelevance(cands, estimate, check, limit, capped);
          return ranked.then(function (hits) {
            result.hits = hits;
            if (hits.length < limit && !capped.value) { result.count = hits.length; result.exact = true; }
            result.capped = capped.value;
            return result;
          });
        });
      });
    });
  }

  // Check candidates lazily in the order of their estimate (never worse than the truth):
  // a checked one is shown once no unchecked one could still come before it.
  function byRelevance(cands, estimate, check, limit, capped) {
    var order = cands.map(estimate).sort(cmpKey);
    var done = [], ready = [], i = 0, checked = 0;
    function insert(hit) {
      var lo = 0, hi = ready.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (cmpKey(ready[mid].key, hit.key) < 0) lo = mid + 1; else hi = mid; }
      ready.splice(lo, 0, hit);
    }
    function step() {
      while (done.length < limit) {
        if (ready.length && (i >= order.length || cmpKey(ready[0].key, order[i]) <= 0)) { done.push(ready.shift()); continue; }
        if (i >= order.length) break;
        if (checked >= VERIFY_LIMIT) {
          capped.value = true;
          while (ready.length && done.length < limit) done.push(ready.shift());
          break;
        }
        var want = Math.max(1, limit - done.length);
        var batch = order.slice(i, i + want);
        i += batch.length;
        checked += batch.length;
        return Promise.all(batch.map(function (est) {
          return check(est[3]).then(function (hit) { if (hit) { hit.n = est[3]; insert(hit); } });
        })).then(step);
      }
      return Promise.resolve(done);
    }
    return step();
  }

  function byAmount(scope, cands, check, limit) {
    var chunks = scope.m.amounts[2];
    if (cands.length <= 3 * limit) {
      return Promise.all(cands.map(function (d) {
        return check(d).then(function (hit) {
          if (!hit) return null;
          hit.n = d;
          var y = hit.doc.y;
          hit.key = y !== undefined ? [0, -parseFloat(y), d] : [1, 0, d];
          return hit;
        });
      })).then(function (hits) {
        return hits.filter(Boolean).sort(function (a, b) { return cmpKey(a.key, b.key); }).slice(0, limit);
      });
    }
    var members = marks(scope.n, cands), seen = new Uint8Array(scope.n), done = [];
    function take(queue, rank) {
      var i = 0;
      function next() {
        if (i >= queue.length) return Promise.resolve(false);
        var batch = queue.slice(i, i + Math.max(1, limit - done.length));
        i += batch.length;
        return Promise.all(batch.map(function (d) {
          return check(d).then(function (hit) { if (hit) { hit.n = d; hit.key = [rank, d]; } return hit; });
        })).then(function (hits) {
          hits.forEach(function (h) { if (h) done.push(h); });
          if (done.length >= limit) { done.length = limit; return true; }
          return next();
        });
      }
      return next();
    }
    function chunk(j) {
      if (j >= chunks) {
        return take(cands.filter(function (d) { return !seen[d]; }), 1).then(function () { return done; });
      }
      return load(scope.name + "/a/" + j).then(function (text) {
        var queue = varints(text, 0).filter(function (d) { return members[d]; });
        queue.forEach(function (d) { seen[d] = 1; });
        return take(queue, 0).then(function (full) { return full ? done : chunk(j + 1); });
      });
    }
    return chunk(0);
  }

  /* ---------- excerpts ---------- */

  // The excerpt is the matched field itself (generator/search/excerpt.py builds the same):
  // an indicator's path and target whole, other fields a window around the first match.
  // Indices count code points, as Python's do, so nothing is cut inside a character.
  var EXCERPT_BEFORE = 20, EXCERPT_LENGTH = 90, PATH_SEPARATOR = " \u203a ";
  var BOUNDARY = /[ ，。；：、！？（）【】《》“”;:!?()\[\]]/;

  // Normalise text character by character; per output character, the code point span it came from.
  function normalizedMap(chars) {
    var out = [], start = [], end = [], space = true;
    chars.forEach(function (ch, i) {
      var piece = WS1.test(ch) ? " " : normalize(ch);
      if (piece === " ") { if (space) return; space = true; } else if (piece) space = false;
      for (var c of piece) { out.push(c); start.push(i); end.push(i + 1); }
    });
    var norm = out.join("");
    NUMBER_RULES.forEach(function (rule, r) {
      var gone = numberDeletions(r, norm);
      if (!gone.length) return;
      // the rules delete ASCII characters only, so UTF-16 positions of norm are safe to map here
      var units = [], s2 = [], e2 = [], k = 0;
      out.forEach(function (c, j) {
        if (!gone.marks[k]) { units.push(c); s2.push(start[j]); e2.push(end[j]); }
        k += c.length;
      });
      out = units; start = s2; end = e2; norm = out.join("");
    });
    return { chars: out, start: start, end: end };
  }

  function fieldShown(fields, i) {
    var f = fields[i];
    if (!f[1]) return [f[2], 0];
    if (i > 0 && fields[i - 1][1] === f[1]) {
      var head = f[0] + PATH_SEPARATOR + fields[i - 1][2] + " ";
      return [head + f[2], Array.from(head).length];
    }
    var text = f[0] ? f[0] + PATH_SEPARATOR + f[2] : f[2];
    return [text, Array.from(text).length];
  }

  function excerpt(doc, words) {
    var fields = [], label = "", best = -1, bestScore = null, joined = words.join("");
    doc.f.forEach(function (f) { label = f[0] || label; fields.push([label, f[1], f[2]]); });
    fields.forEach(function (f, i) {
      var t = normalize(fieldShown(fields, i)[0]), found = words.filter(function (w) { return t.indexOf(w) >= 0; }).length;
      if (!found) return;
      var score = [i < doc.h && fields.length > doc.h ? 1 : 0, -found, t.indexOf(joined) >= 0 ? 0 : 1, f[1] ? 0 : 1, i];
      if (bestScore === null || cmpKey(score, bestScore) < 0) { best = i; bestScore = score; }
    });
    if (best < 0) best = Math.min(doc.h, fields.length - 1);
    var got = fieldShown(fields, best);
    return { label: fields[best][1] ? "" : fields[best][0], anchor: fields[best][1], segments: segments(got[0], words, got[1]) };
  }

  function indexOfChars(hay, needle, from) {
    outer: for (var i = from; i + needle.length <= hay.length; i++) {
      for (var k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
      return i;
    }
    return -1;
  }

  function segments(str, words, keep) {
    var text = Array.from(str), map = normalizedMap(text), marks = [];
    words.forEach(function (w) {
      var wc = Array.from(w), at = indexOfChars(map.chars, wc, 0);
      while (at >= 0) { marks.push([map.start[at], map.end[at + wc.length - 1]]); at = indexOfChars(map.chars, wc, at + wc.length); }
    });
    marks.sort(cmpKey);
    var first = keep, i;
    for (i = 0; i < marks.length; i++) if (marks[i][0] >= keep) { first = marks[i][0]; break; }
    var lo = Math.max(keep, first - EXCERPT_BEFORE);
    if (lo > keep) {
      for (i = lo; i < first; i++) if (BOUNDARY.test(text[i])) { lo = i + 1; break; }
    }
    var hi = Math.min(text.length, lo + EXCERPT_LENGTH);
    if (hi < text.length) {
      for (i = hi - 1; i >= Math.max(first + 1, hi - 15); i--) if (BOUNDARY.test(text[i])) { hi = i + 1; break; }
    }
    var ranges = keep ? [[0, keep]] : [];
    if (hi > lo) {
      if (ranges.length && lo <= keep) ranges = [[0, hi]]; else ranges.push([lo, hi]);
    }
    var out = [], previous = 0;
    ranges.forEach(function (r) {
      if (r[0] > previous) out.push(["…", false]);
      var pos = r[0];
      for (var s = 0; s < marks.length; s++) {
        var a = Math.max(marks[s][0], pos), b = Math.min(marks[s][1], r[1]);
        if (a >= r[1]) break;
        if (b <= a) continue;
        if (a > pos) out.push([text.slice(pos, a).join(""), false]);
        out.push([text.slice(a, b).join(""), true]);
        pos = b;
      }
      if (pos < r[1]) out.push([text.slice(pos, r[1]).join(""), false]);
      previous = r[1];
    });
    if (previous < text.length) out.push(["…", false]);
    return out;
  }

  window.DiscloseSearch = {
    normalize: normalize, queryWords: queryWords, planWord: planWord, keyHash: keyHash,
    decodePosting: decodePosting, inflate: inflate, search: search, excerpt: excerpt, loaded: loadedNames,
    PAGE_SIZE: PAGE_SIZE,
    reset: function () { cache = {}; docs = {}; scopes = {}; loadedNames.length = 0; }  // for tests: forget loaded files
  };

  /* ---------- the search page ---------- */

  var KINDS = { project: "项目", transfer: "转移支付区域绩效目标表", evaluation: "绩效自评表", department: "部门", page: "页面" };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function formatCount(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  function start() {
    var form = document.getElementById("ds-form");
    if (!form) return;
    var input = document.getElementById("ds-q");
    var status = document.getElementById("ds-status");
    var list = document.getElementById("ds-results");
    var more = document.getElementById("ds-more");
    var controls = {
      edition: document.getElementById("ds-edition"),
      department: document.getElementById("ds-department"),
      level1: document.getElementById("ds-level1"),
      sort: document.getElementById("ds-sort")
    };
    var scopeName = form.getAttribute("data-scope") || SCOPE;
    var limit = PAGE_SIZE, serial = 0, timer = null;
    form.hidden = false;
    Array.prototype.forEach.call(document.querySelectorAll(".ds-needs-js"), function (node) { node.hidden = false; });

    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    Object.keys(controls).forEach(function (name) {
      var value = params.get(name);
      if (controls[name] && value) controls[name].value = value;
    });

    openScope(scopeName).then(function (scope) {
      var box = controls.level1;
      var own = scope.own || scope.m;
      if (box && box.options.length <= 1) {
        own.level1.forEach(function (item) {
          var option = el("option", null, item[0]);
          option.value = item[0];
          box.appendChild(option);
        });
        if (params.get("level1")) box.value = params.get("level1");
      }
      var editions = controls.edition;
      if (editions && editions.options.length <= 1) {
        (scope.own ? [[scope.own.edition]] : scope.m.editions).forEach(function (e) {
          var option = el("option", null, e[0] + "年");
          option.value = String(e[0]);
          editions.appendChild(option);
        });
        if (params.get("edition")) editions.value = params.get("edition");
      }
    }, function () {
      status.textContent = "搜索索引未能加载。请按下方的年度和部门浏览。";
    });

    function options() {
      return {
        edition: controls.edition && controls.edition.value,
        department: controls.department && controls.department.value,
        level1: controls.level1 && controls.level1.value,
        sort: controls.sort && controls.sort.value
      };
    }

    function remember() {
      var p = new URLSearchParams();
      if (input.value) p.set("q", input.value);
      var o = options();
      Object.keys(o).forEach(function (k) { if (o[k] && !(k === "sort" && o[k] === "relevance")) p.set(k, o[k]); });
      try { history.replaceState(null, "", "?" + p.toString()); } catch (e) { /* file:// in some browsers */ }
    }

    function render(result, q) {
      list.textContent = "";
      result.hits.forEach(function (hit) {
        var doc = hit.doc, ex = excerpt(doc, result.words);
        var item = el("li", "ds-hit");
        var heading = el("h3", "ds-hit-title");
        var link = el("a", null, doc.t);
        link.href = ROOT + doc.u + (ex.anchor ? "#" + ex.anchor : "");
        heading.appendChild(link);
        item.appendChild(heading);
        var meta = [KINDS[doc.k] || "", doc.k !== "department" ? doc.d : null, doc.e ? doc.e + "年" : null, doc.a]
          .filter(Boolean);
        item.appendChild(el("p", "ds-hit-meta", meta.join(" · ")));
        var p = el("p", "ds-hit-excerpt");
        if (ex.label) p.appendChild(el("span", "ds-hit-label", ex.label + "："));
        ex.segments.forEach(function (seg) {
          p.appendChild(seg[1] ? el("mark", null, seg[0]) : document.createTextNode(seg[0]));
        });
        item.appendChild(p);
        list.appendChild(item);
      });
      var shown = result.hits.length;
      if (!result.words.length) status.textContent = "";
      else if (!shown) status.textContent = "没有找到包含“" + q + "”的页面。";
      else if (result.exact) status.textContent = "找到 " + formatCount(result.count) + " 个结果" + (shown < result.count ? "，显示前 " + shown + " 个。" : "。");
      else status.textContent = "约 " + formatCount(result.count) + " 个结果，显示前 " + shown + " 个。";
      more.hidden = !((shown >= limit || result.capped) && shown < result.count);
    }


    function run() {
      var q = input.value, mine = ++serial;
      remember();
      if (!q.trim()) { list.textContent = ""; status.textContent = ""; more.hidden = true; return; }
      list.setAttribute("aria-busy", "true");
      openScope(scopeName).then(function () {
        return search(scopeName, q, options(), limit);
      }).then(function (result) {
        if (mine !== serial) return;
        list.removeAttribute("aria-busy");
        render(result, q.trim());
      }, function () {
        if (mine !== serial) return;
        list.removeAttribute("aria-busy");
        status.textContent = "搜索索引未能加载。请按下方的年度和部门浏览。";
      });
    }

    function soon() {
      limit = PAGE_SIZE;
      clearTimeout(timer);
      timer = setTimeout(run, 200);
    }
    input.addEventListener("input", soon);
    Object.keys(controls).forEach(function (k) { if (controls[k]) controls[k].addEventListener("change", function () { limit = PAGE_SIZE; run(); }); });
    form.addEventListener("submit", function (event) { event.preventDefault(); limit = PAGE_SIZE; run(); });
    more.addEventListener("click", function () { limit += PAGE_SIZE; run(); });
    if (input.value) run();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
