// veraPDF on several PDFs in one JVM: java -cp <jars> Vera.java FLAVOUR FILE [FLAVOUR FILE ...]
// (check/verapdf.py runs it). Prints tab-separated lines, whitespace in texts folded to spaces;
// N is the file's place among the arguments, 0 for the first (a file name may hold a tab):
//   pdf    N  FLAVOUR  RULES-IN-PROFILE  RULES-CHECKED  CHECKS
//   fail   N  SPECIFICATION  CLAUSE  TEST  FAILED-CHECKS  DESCRIPTION  FIRST-ERROR  FIRST-CONTEXT
//   error  N  MESSAGE                     (the file could not be parsed or validated)
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.*;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.model.baselayer.Object;
import org.verapdf.pdfa.*;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.*;
import org.verapdf.pdfa.validation.profiles.*;
import org.verapdf.pdfa.validation.validators.*;

public class Vera {
    public static void main(String[] args) {
        VeraGreenfieldFoundryProvider.initialise();
        for (int i = 0; i + 1 < args.length; i += 2) {
            try {
                validate(PDFAFlavour.fromString(args[i]), args[i + 1], "" + i / 2);
            } catch (Exception e) {
                System.out.println(String.join("\t", "error", "" + i / 2, flat(String.valueOf(e))));
            }
        }
    }

    static void validate(PDFAFlavour flavour, String file, String n) throws Exception {
        ValidationProfile profile = Profiles.getVeraProfileDirectory().getValidationProfileByFlavour(flavour);
        Set<RuleId> checked = new HashSet<>();  // BaseValidator counts checks, not the rules that ran
        try (InputStream in = new FileInputStream(file);
             PDFAParser parser = Foundries.defaultInstance().createParser(in, flavour);
             BaseValidator validator = new BaseValidator(profile, 1, false, true, false) {
                 @Override
                 protected void processAssertionResult(FlavourValidator f, boolean ok, String where, Rule rule, Object obj) {
                     checked.add(rule.getRuleId());
                     super.processAssertionResult(f, ok, where, rule, obj);
                 }
             }) {
            ValidationResult result = validator.validate(parser);
            System.out.println(String.join("\t", "pdf", n, flavour.getId(), "" + profile.getRules().size(),
                    "" + checked.size(), "" + result.getTotalAssertions()));
            Map<RuleId, Integer> failed = result.getFailedChecks();
            for (TestAssertion a : result.getTestAssertions()) {  // one per failed rule: the first failure
                RuleId id = a.getRuleId();
                System.out.println(String.join("\t", "fail", n, "" + id.getSpecification(), id.getClause(),
                        "" + id.getTestNumber(), "" + failed.get(id), flat(a.getMessage()), flat(a.getErrorMessage()),
                        flat(a.getLocation().getContext())));
            }
        }
    }

    static String flat(String text) {
        return text == null ? "" : text.trim().replaceAll("\\s+", " ");
    }
}
