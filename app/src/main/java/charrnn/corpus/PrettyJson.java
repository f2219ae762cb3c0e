package charrnn.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code manifest.json} and {@code vocab.json} as text, byte for byte what {@link Json#MAPPER} (Jackson's
 * default pretty printer) writes, without Jackson: starting Jackson took about 0.14 s of a 100 MB
 * {@code rnn prepare} (bench/NOTES.md 30). Readers still use Jackson.
 */
public final class PrettyJson {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final StringBuilder out = new StringBuilder(256);
    /** As Jackson's UTF-8 output (files) does: characters beyond the BMP as two escaped surrogates. */
    private final boolean escapeSurrogates;
    private int depth;
    private boolean first = true;

    private PrettyJson(boolean escapeSurrogates) {
        this.escapeSurrogates = escapeSurrogates;
    }

    /** The manifest as {@code Json.MAPPER.writeValueAsString(m)} gives it (for stdout). */
    public static String manifest(Manifest m) {
        return manifest(m, false);
    }

    /** Writes {@code manifest.json} as {@code Json.MAPPER.writeValue(file, m)} did. */
    static void write(Path file, Manifest m) throws IOException {
        write(file, manifest(m, true));
    }

    /** Writes {@code vocab.json} as {@code Json.MAPPER.writeValue(file, v.toJson(Json.MAPPER))} did. */
    static void write(Path file, Vocabulary v) throws IOException {
        write(file, vocabulary(v, true));
    }

    /** Writes {@code text} as UTF-8, without a final newline (as Jackson does). */
    private static void write(Path file, String text) throws IOException {
        Files.write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    static String manifest(Manifest m, boolean escapeSurrogates) {
        var j = new PrettyJson(escapeSurrogates);
        j.open();
        j.key("format").string(m.format());
        j.key("formatVersion").out.append(m.formatVersion());
        j.key("source").open();
        j.key("path").string(m.source().path());
        j.key("bytes").out.append(m.source().bytes());
        j.key("sha256").string(m.source().sha256());
        j.key("codePoints").out.append(m.source().codePoints());
        j.close();
        j.key("codePoints").out.append(m.codePoints());
        j.key("vocabSize").out.append(m.vocabSize());
        j.key("idWidth").out.append(m.idWidth());
        j.key("split").open();
        j.key("valFraction").out.append(m.split().valFraction());
        j.key("trainStart").out.append(m.split().trainStart());
        j.key("trainLength").out.append(m.split().trainLength());
        j.key("valStart").out.append(m.split().valStart());
        j.key("valLength").out.append(m.split().valLength());
        j.close();
        Manifest.Normalisation n = m.normalisation();
        j.key("normalisation").open();
        j.key("newlines").out.append(n.newlines());
        j.key("crlfConverted").out.append(n.crlfConverted());
        j.key("loneCrConverted").out.append(n.loneCrConverted());
        j.key("dropBom").out.append(n.dropBom());
        j.key("bomDropped").out.append(n.bomDropped());
        j.key("stripBoilerplate").out.append(n.stripBoilerplate());
        Manifest.Boilerplate b = n.boilerplate();
        j.key("boilerplate").open();
        j.key("found").out.append(b.found());
        j.key("startLine").out.append(b.startLine());
        j.key("endLine").out.append(b.endLine());
        j.key("sections").out.append(b.sections());
        j.key("droppedCodePoints").out.append(b.droppedCodePoints());
        j.close();
        j.key("lowercase").out.append(n.lowercase());
        j.key("ascii").out.append(n.ascii());
        j.key("nonAsciiDropped").out.append(n.nonAsciiDropped());
        j.key("replaceInvalid").out.append(n.replaceInvalid());
        j.key("invalidReplaced").out.append(n.invalidReplaced());
        j.close();
        j.close();
        return j.out.toString();
    }

    static String vocabulary(Vocabulary v, boolean escapeSurrogates) {
        var j = new PrettyJson(escapeSurrogates);
        j.open();
        j.key("size").out.append(v.size());
        j.key("symbols");
        // arrays stay on their line: "[ {" ... "}, {" ... "} ]", their objects one level deeper
        j.out.append('[');
        for (int i = 0; i < v.size(); i++) {
            j.out.append(i == 0 ? " " : ", ");
            j.open();
            j.key("id").out.append(i);
            j.key("codePoint").out.append(v.codePoint(i));
            j.key("char").string(new String(Character.toChars(v.codePoint(i))));
            j.key("count").out.append(v.count(i));
            j.close();
        }
        j.out.append(" ]");
        j.close();
        return j.out.toString();
    }

    private void open() {
        out.append('{');
        depth++;
        first = true;
    }

    private void close() {
        depth--;
        if (first) {
            out.append(" }");
        } else {
            newline();
            out.append('}');
        }
        first = false;
    }

    private PrettyJson key(String name) {
        if (!first) {
            out.append(',');
        }
        newline();
        string(name);
        out.append(" : ");
        first = false;
        return this;
    }

    private void newline() {
        out.append('\n');
        for (int i = 0; i < depth; i++) {
            out.append("  ");
        }
    }

    /** A JSON string as Jackson escapes it: quote, backslash and control characters (and surrogates in files). */
    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || escapeSurrogates && Character.isSurrogate(c)) {
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF])
                                .append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
