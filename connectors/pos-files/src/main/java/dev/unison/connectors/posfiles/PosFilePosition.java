package dev.unison.connectors.posfiles;

/** Where a transaction is in its file: lines of a CSV file, or the Transaction element of a POSLog. */
public sealed interface PosFilePosition permits PosFilePosition.CsvLines, PosFilePosition.XmlElement {

    /** For people: {@code lines 12-15}, {@code Transaction #3 (line 40, column 5)}. */
    String describe();

    /** The first and last line (1-based, the header is line 1) of a transaction's rows. */
    record CsvLines(long firstLine, long lastLine) implements PosFilePosition {
        @Override
        public String describe() {
            return firstLine == lastLine ? "line " + firstLine : "lines " + firstLine + "-" + lastLine;
        }
    }

    /**
     * The {@code ordinal}-th (1-based) Transaction element of a POSLog, and where its start tag is
     * (the StAX location: 1-based line and column, -1 when the parser cannot tell).
     */
    record XmlElement(long ordinal, int line, int column) implements PosFilePosition {
        @Override
        public String describe() {
            return "Transaction #" + ordinal + " (line " + line + ", column " + column + ")";
        }
    }
}
