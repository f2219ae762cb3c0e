package charrnn.cli;

import picocli.CommandLine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses "90", "90s", "10m", "1h30m", "1.5h" into seconds, and formats seconds as "1h02m03s". */
final class Durations implements CommandLine.ITypeConverter<Double> {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)([hms]?)");

    @Override
    public Double convert(String value) {
        String v = value.trim().toLowerCase();
        if (v.isEmpty()) {
            throw new CommandLine.TypeConversionException("empty duration");
        }
        Matcher m = PART.matcher(v);
        double total = 0;
        int pos = 0;
        while (pos < v.length() && m.find(pos) && m.start() == pos) {
            double n = Double.parseDouble(m.group(1));
            String unit = m.group(2);
            if (unit.isEmpty() && (pos > 0 || m.end() != v.length())) {
                break; // a plain number is seconds only on its own: "1h30" is ambiguous
            }
            total += switch (unit) {
                case "h" -> n * 3600;
                case "m" -> n * 60;
                default -> n;
            };
            pos = m.end();
        }
        if (pos != v.length() || !Double.isFinite(total)) {
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not a duration; use e.g. 90s, 10m, 1h30m (a plain number is seconds)");
        }
        return total;
    }

    static String format(double seconds) {
        if (Double.isNaN(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format("%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
        }
        if (s >= 60) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }
}
