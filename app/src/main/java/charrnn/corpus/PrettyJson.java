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
        j.field("format", m.format());
        j.field("formatVersion", m.formatVersion());
        j.object("source");
        j.field("path", m.source().path());
        j.field("bytes", m.source().bytes());
        j.field("sha256", m.source().sha256());
        j.field("codePoints", m.source().codePoints());
        j.close();
        j.field("codePoints", m.codePoints());
        j.field("vocabSize", m.vocabSize());
        j.field("idWidth", m.idWidth());
        j.object("split");
        j.field("valFraction", m.split().valFraction());
        j.field("trainStart", m.split().trainStart());
        j.field("trainLength", m.split().trainLength());
        j.field("valStart", m.split().valStart());
        j.field("valLength", m.split().valLength());
        j.close();
        Manifest.Normalisation n = m.normalisation();
        j.object("normalisation");
        j.field("newlines", n.newlines());
        j.field("crlfConverted", n.crlfConverted());
        j.field("loneCrConverted", n.loneCrConverted());
        j.field("dropBom", n.dropBom());
        j.field("bomDropped", n.bomDropped());
        j.field("stripBoilerplate", n.stripBoilerplate());
        Manifest.Boilerplate b = n.boilerplate();
        j.object("boilerplate");
        j.field("found", b.found());
        j.field("startLine", b.startLine());
        j.field("endLine", b.endLine());
        j.field("sections", b.sections());
        j.field("droppedCodePoints", b.droppedCodePoints());
        j.close();
        j.field("lowercase", n.lowercase());
        j.field("ascii", n.ascii());
        j.field("nonAsciiDropped", n.nonAsciiDropped());
        j.field("replaceInvalid", n.replaceInvalid());
        j.field("invalidReplaced", n.invalidReplaced());
        j.close();
        j.close();
        return j.out.toString();
    }

    static String vocabulary(Vocabulary v, boolean escapeSurrogates) {
        var j = new PrettyJson(escapeSurrogates);
        j.open();
        j.field("size", v.size());
        j.key("symbols");
        // arrays stay on their line: "[ {" ... "}, {" ... "} ]", their objects one level deeper
        j.out.append('[');
        for (int i = 0; i < v.size(); i++) {
            j.out.append(i == 0 ? " " : ", ");
            j.open();
            j.field("id", i);
            j.field("codePoint", v.codePoint(i));
            j.field("char", new String(Character.toChars(v.codePoint(i))));
            j.field("count", v.count(i));
            j.close();
        }
        j.out.append(" ]");
        j.close();
        return j.out.toString();
    }

    /** {@code "name" : value}: numbers as Java prints them (Jackson prints doubles the same way). */
    private void field(String name, long value) {
        key(name).out.append(value);
    }

    private void field(String name, double value) {
        key(name).out.append(value);
    }

    private void field(String name, boolean value) {
        key(name).out.append(value);
    }

    private void field(String name, String value) {
        key(name).string(value);
    }

    /** {@code "name" : {}}, open for its fields. */
    private void object(String name) {
        key(name).open();
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
