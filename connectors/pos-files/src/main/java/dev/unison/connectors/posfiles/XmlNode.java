package dev.unison.connectors.posfiles;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An element of the one POSLog Transaction being read: name, attributes, text, children, where it starts. */
final class XmlNode {

    private final String namespace;
    private final String localName;
    private final Map<String, String> attributes = new LinkedHashMap<>();
    private final StringBuilder text = new StringBuilder();
    private final List<XmlNode> children = new ArrayList<>();
    private final int line;
    private final int column;

    XmlNode(String namespace, String localName, int line, int column) {
        this.namespace = namespace == null ? "" : namespace;
        this.localName = localName;
        this.line = line;
        this.column = column;
    }

    String namespace() {
        return namespace;
    }

    String localName() {
        return localName;
    }

    int line() {
        return line;
    }

    int column() {
        return column;
    }

    String where() {
        return "line " + line + ", column " + column;
    }

    /** An attribute by local name (any namespace), or null. */
    String attribute(String name) {
        return attributes.get(name);
    }

    void attribute(String name, String value) {
        attributes.putIfAbsent(name, value);
    }

    void appendText(String chars) {
        text.append(chars);
    }

    /** The element's own text, trimmed. */
    String text() {
        return text.toString().trim();
    }

    List<XmlNode> children() {
        return children;
    }

    void add(XmlNode child) {
        children.add(child);
    }
}
