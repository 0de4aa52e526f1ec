// epubcheck for a test run, in one JVM: java -cp epubcheck.jar EpubcheckService.java
// Reads "EPUB<TAB>JSON" lines on stdin; writes each EPUB's report to its JSON file as
// briefpress/check/Epubcheck.java does (an EPUB it cannot check gets no file, and a line on stderr),
// then prints the JSON file's path. epubcheck compiles its schemas once per JVM, which costs 5 s of CPU.
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.reporting.CheckingReport;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

public class EpubcheckService {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] pair = line.split("\t", 2);
            File epub = new File(pair[0]);
            try (PrintWriter out = new PrintWriter(new File(pair[1]), StandardCharsets.UTF_8)) {
                CheckingReport report = new CheckingReport(out, epub.getPath());
                report.initialize();
                new EpubCheck(epub, report).doValidate();
                report.generate();
            } catch (Exception e) {
                new File(pair[1]).delete();
                System.err.println(epub + ": " + e);
            }
            System.out.println(pair[1]);
            System.out.flush();
        }
    }
}
