package dev.unison.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A benchmark's command line, {@code --name value} pairs. An unknown name or a name without a
 * value is refused: a mistyped option silently left at its default would measure something else
 * than the reader of the result believes.
 */
public final class Options {

    private Options() {
    }

    public static Map<String, String> parse(String[] args, Set<String> known) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || !known.contains(args[i].substring(2))) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: --" + String.join(", --", new TreeSet<>(known)));
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
