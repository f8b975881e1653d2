package io.flowrelay.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Renders the benchmark runner's {@code checks.csv} as a PNG horizontal bar chart of goal attainment.
 *
 * <p>Each check becomes one row, in file order, labelled with its text on the left. The bar shows the
 * <em>attainment</em> on a log axis from 0.1 to 10: {@code ratio / goal} when higher is better and
 * {@code goal / ratio} when lower is better, so a bar ending right of the 1.0 "target" line means the
 * goal holds. Bars are green for PASS and red for FAIL; attainments off the axis are clamped and marked
 * with an arrow head; SKIP rows get a grey "skipped" note instead of a bar. The actual ratio and the goal
 * are printed to the right of each bar, e.g. {@code 0.94x (goal >= 3x)}.
 *
 * <pre>
 * java -cp flow-bench.jar io.flowrelay.bench.ChartRenderer checks.csv out.png [--title "..."] [--targets T1,T2]
 * </pre>
 *
 * <p>The CSV has a header line naming the columns {@code target,check,flowrelay,peer,ratio,goal,better,verdict};
 * fields are separated by commas and never quoted. A check with a {@code flowrelay} figure but no
 * {@code peer} is an absolute check, and its figures are printed without the {@code x} suffix.
 */
public final class ChartRenderer {

    /** The targets drawn when none are given on the command line. */
    public static final Set<String> DEFAULT_TARGETS = Set.of("T1", "T2", "T3", "T4", "T5", "T6");

    private static final String DEFAULT_TITLE = "FlowRelay benchmark checks";
    private static final int WIDTH = 1000, MARGIN = 20, ROW = 26, BAR = 14, TOP = 112, BOTTOM = 60;
    private static final int ARROW = 9, GAP = 6, MIN_PLOT = 380;
    private static final double MIN = 0.1, MAX = 10;
    private static final double[] GRID = {0.1, 0.25, 0.5, 1, 2, 4, 10};
    private static final Color INK = new Color(0x222222), GREY = new Color(0x8C8C8C), GRID_LINE = new Color(0xE2E2E2),
            BAND = new Color(0xF6F7F9), SEPARATOR = new Color(0xC8CCD2), PASS = new Color(0x2E9E4F),
            FAIL = new Color(0xD64541), OTHER = new Color(0xA0A0A0);
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 18),
            TEXT_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12), SMALL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private ChartRenderer() {
    }

    /** One row of {@code checks.csv}; {@code ratio} and {@code goal} are NaN when empty. */
    private record Check(String target, String label, double ratio, double goal, boolean lower, String verdict,
                         boolean relative) {

        boolean skipped() {
            return verdict.equals("SKIP") || Double.isNaN(attainment());
        }

        /** Attainment, at least 1.0 when the goal holds; NaN when it cannot be computed. */
        double attainment() {
            double a = lower ? goal / ratio : ratio / goal;
            return a >= 0 ? a : Double.NaN;
        }

        String annotation() {
            String unit = relative ? "x" : "";
            String goalText = "goal " + (lower ? "<= " : ">= ") + goalNumber(goal) + unit;
            if (verdict.equals("SKIP")) {
                return "skipped (" + goalText + ")";
            }
            return Double.isNaN(ratio) ? "n/a (" + goalText + ")" : number(ratio) + unit + " (" + goalText + ")";
        }
    }

    /**
     * Command-line entry point: {@code <checks.csv> <out.png> [--title "..."] [--targets T1,T2,...|all]}.
     *
     * <p>Exits with status 1 if the CSV cannot be read or the PNG written, and 2 on a usage error.
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        String title = DEFAULT_TITLE;
        Set<String> targets = DEFAULT_TARGETS;
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("--title") || args[i].equals("--targets")) && i + 1 == args.length) {
                usage("missing value after " + args[i]);
            } else if (args[i].equals("--title")) {
                title = args[++i];
            } else if (args[i].equals("--targets")) {
                String value = args[++i].trim();
                targets = value.equalsIgnoreCase("all") ? null : new LinkedHashSet<>(Arrays.asList(value.split("\\s*,\\s*")));
            } else if (args[i].startsWith("--")) {
                usage("unknown option " + args[i]);
            } else {
                files.add(args[i]);
            }
        }
        if (files.size() != 2) {
            usage("expected <checks.csv> and <out.png>");
        }
        try {
            render(Path.of(files.get(0)), Path.of(files.get(1)), title, targets);
            System.out.println("Wrote " + files.get(1));
        } catch (IOException e) {
            System.err.println("ChartRenderer: " + (e instanceof NoSuchFileException ? "no such file: " : "") + e.getMessage());
            System.exit(1);
        }
    }

    private static void usage(String problem) {
        System.err.println("ChartRenderer: " + problem + "\nusage: ChartRenderer <checks.csv> <out.png>"
                + " [--title \"...\"] [--targets T1,T2,...|all]");
        System.exit(2);
    }

    /**
     * Reads {@code csv} and writes the chart of its checks to {@code png}, creating parent directories.
     *
     * @param csv the {@code checks.csv} written by the benchmark runner
     * @param png the PNG file to write
     * @param title the title line; {@code null} for a generic one
     * @param targets the targets whose checks are drawn, in file order; {@code null} or empty for all
     * @throws IOException if the CSV cannot be read or is malformed, or the PNG cannot be written
     */
    public static void render(Path csv, Path png, String title, Set<String> targets) throws IOException {
        BufferedImage image = draw(read(csv, targets), title == null ? DEFAULT_TITLE : title);
        Files.createDirectories(png.toAbsolutePath().getParent());
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    private static List<Check> read(Path csv, Set<String> targets) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        List<String> header = Arrays.asList((lines.isEmpty() ? "" : lines.get(0)).replace("\uFEFF", "").trim().split("\\s*,\\s*", -1));
        int target = column(header, "target", csv), check = column(header, "check", csv), ratio = column(header, "ratio", csv),
                goal = column(header, "goal", csv), better = column(header, "better", csv), verdict = column(header, "verdict", csv),
                flowrelay = header.indexOf("flowrelay"), peer = header.indexOf("peer");
        List<Check> checks = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) {
                continue;
            }
            String[] f = Csv.split(lines.get(n));
            if (f.length < header.size()) {
                throw new IOException(csv + " line " + (n + 1) + ": expected " + header.size() + " fields, got " + f.length);
            }
            String t = f[target].trim();
            if (targets == null || targets.isEmpty() || targets.contains(t)) {
                checks.add(new Check(t, f[check].trim(), parse(f[ratio], csv, n), parse(f[goal], csv, n),
                        f[better].trim().equalsIgnoreCase("lower"), f[verdict].trim().toUpperCase(Locale.ROOT),
                        peer < 0 || flowrelay < 0 || !f[peer].isBlank() || f[flowrelay].isBlank()));
            }
        }
        return checks;
    }

    private static int column(List<String> header, String name, Path csv) throws IOException {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IOException(csv + ": header has no '" + name + "' column: " + header);
        }
        return i;
    }

    private static double parse(String field, Path csv, int n) throws IOException {
        try {
            return field.isBlank() ? Double.NaN : Double.parseDouble(field.trim());
        } catch (NumberFormatException e) {
            throw new IOException(csv + " line " + (n + 1) + ": not a number: '" + field + "'", e);
        }
    }

    private static BufferedImage draw(List<Check> checks, String title) {
        int rows = Math.max(1, checks.size()), plotBottom = TOP + rows * ROW;
        BufferedImage image = new BufferedImage(WIDTH, plotBottom + BOTTOM, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());

        // Columns: labels | plot from x0 to x1 | room for the arrow head and annotation of a full-length bar.
        FontMetrics fm = g.getFontMetrics(TEXT_FONT), small = g.getFontMetrics(SMALL_FONT);
        int labelWidth = 0, noteWidth = 0;
        for (Check c : checks) {
            labelWidth = Math.max(labelWidth, fm.stringWidth(c.label()));
            noteWidth = Math.max(noteWidth, fm.stringWidth(c.annotation()));
        }
        int x1 = WIDTH - MARGIN - ARROW - GAP - noteWidth;
        labelWidth = Math.min(labelWidth, x1 - MIN_PLOT - MARGIN - 14);
        int x0 = MARGIN + labelWidth + 14, target = x(1, x0, x1), baseline = (ROW + fm.getAscent() - fm.getDescent()) / 2;

        g.setColor(INK);
        g.setFont(TITLE_FONT);
        g.drawString(fit(title, g.getFontMetrics(), WIDTH - 2 * MARGIN), MARGIN, 32);
        g.setFont(TEXT_FONT);
        g.setColor(GREY);
        g.drawString("bar = ratio / goal (goal / ratio where lower is better), log scale; right of the line = target met",
                MARGIN, 54);
        int lx = legend(g, legend(g, MARGIN, PASS, "PASS"), FAIL, "FAIL");
        g.setColor(GREY);
        g.drawString("skipped = no bar", lx, 76);
        lx += fm.stringWidth("skipped = no bar") + 18;
        g.setColor(INK);
        g.fill(arrow(lx, 72, true));
        g.drawString("off scale, clamped to 0.1 \u2013 10", lx + ARROW + GAP, 76);

        for (int i = 1; i < rows; i++) {
            int y = TOP + i * ROW;
            if (i % 2 == 1) {
                g.setColor(BAND);
                g.fillRect(MARGIN, y, WIDTH - 2 * MARGIN, ROW);
            }
            if (!checks.get(i).target().equals(checks.get(i - 1).target())) {
                g.setColor(SEPARATOR);
                g.drawLine(MARGIN, y, WIDTH - MARGIN, y);
            }
        }
        g.setFont(SMALL_FONT);
        for (double v : GRID) {
            int x = x(v, x0, x1);
            g.setColor(GRID_LINE);
            g.drawLine(x, TOP, x, plotBottom);
            g.setColor(GREY);
            String tick = goalNumber(v) + "x";
            g.drawString(tick, x - small.stringWidth(tick) / 2, plotBottom + 16);
        }
        g.drawString("attainment (log scale)", (x0 + x1 - small.stringWidth("attainment (log scale)")) / 2, plotBottom + 36);
        g.setColor(INK);
        g.drawString("target", target - small.stringWidth("target") / 2, TOP - 8);
        g.drawLine(x0, TOP, x0, plotBottom);
        g.setStroke(new BasicStroke(1.5f));
        g.drawLine(target, TOP - 4, target, plotBottom);

        g.setFont(TEXT_FONT);
        if (checks.isEmpty()) {
            note(g, "no checks for the selected targets", GREY, x0 + GAP, TOP, baseline, Color.WHITE);
        }
        for (int i = 0; i < checks.size(); i++) {
            Check c = checks.get(i);
            int y = TOP + i * ROW, mid = y + ROW / 2, end = x0;
            g.setColor(c.skipped() ? GREY : INK);
            g.drawString(fit(c.label(), fm, labelWidth), MARGIN, y + baseline);
            if (!c.skipped()) {
                double a = c.attainment();
                g.setColor(c.verdict().equals("PASS") ? PASS : c.verdict().equals("FAIL") ? FAIL : OTHER);
                end = x(Math.max(MIN, Math.min(MAX, a)), x0, x1);
                g.fillRect(x0, mid - BAR / 2, end - x0, BAR);
                if (a > MAX) {
                    g.fill(arrow(end, mid, true));
                } else if (a < MIN) {
                    g.fill(arrow(x0 + 2, mid, false));
                }
                end += a > MAX ? ARROW : a < MIN ? ARROW + 2 : 0;
                g.setColor(INK);
                g.drawLine(target, y, target, y + ROW); // keep the target line visible over the bar
            }
            note(g, c.annotation(), c.skipped() ? GREY : INK, end + GAP, y, baseline, i % 2 == 1 ? BAND : Color.WHITE);
        }
        g.dispose();
        return image;
    }

    /** Draws text on a patch of the row background, so grid and target lines never run through it. */
    private static void note(Graphics2D g, String text, Color color, int x, int y, int baseline, Color background) {
        FontMetrics fm = g.getFontMetrics();
        g.setColor(background);
        g.fillRect(x - 3, y + baseline - fm.getAscent() - 1, fm.stringWidth(text) + 6, fm.getAscent() + fm.getDescent() + 2);
        g.setColor(color);
        g.drawString(text, x, y + baseline);
    }

    private static int legend(Graphics2D g, int x, Color color, String text) {
        g.setColor(color);
        g.fillRect(x, 66, 12, 12);
        g.setColor(INK);
        g.drawString(text, x + 18, 76);
        return x + 18 + g.getFontMetrics().stringWidth(text) + 18;
    }

    /** A filled triangle whose base is at {@code x}, pointing right (tip at x + ARROW) or left (tip at x). */
    private static Path2D arrow(int x, int mid, boolean right) {
        Path2D p = new Path2D.Double();
        int half = BAR / 2 + 2;
        p.moveTo(right ? x : x + ARROW, mid - half);
        p.lineTo(right ? x + ARROW : x, mid);
        p.lineTo(right ? x : x + ARROW, mid + half);
        p.closePath();
        return p;
    }

    private static int x(double v, int x0, int x1) {
        return x0 + (int) Math.round(Math.log(v / MIN) / Math.log(MAX / MIN) * (x1 - x0));
    }

    private static String fit(String text, FontMetrics fm, int width) {
        String cut = text;
        for (int n = text.length(); n > 0 && fm.stringWidth(cut) > width; ) {
            cut = text.substring(0, --n).stripTrailing() + "\u2026";
        }
        return cut;
    }

    /** A ratio as measured: two decimals in the usual range, fewer above 10, two significant digits below 0.1. */
    private static String number(double v) {
        double a = Math.abs(v);
        if (a >= 0.1 || a == 0 || !Double.isFinite(a)) {
            return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", v);
        }
        return new BigDecimal(v).round(new MathContext(2)).stripTrailingZeros().toPlainString();
    }

    /** A goal or tick value without trailing zeros: 3.0 gives "3", 0.25 gives "0.25". */
    private static String goalNumber(double v) {
        return Double.isFinite(v)
                ? BigDecimal.valueOf(v).round(new MathContext(3)).stripTrailingZeros().toPlainString() : "?";
    }
}
