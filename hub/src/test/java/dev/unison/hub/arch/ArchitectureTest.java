package dev.unison.hub.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layout is the architecture: canonical knows no framework, connectors know only canonical + kit. */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.unison");
    }

    @Test
    void canonicalDependsOnNoCamelAndNoSpring() {
        noClasses().that().resideInAPackage("dev.unison.canonical..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.camel..", "org.springframework..")
                .check(classes);
    }

    @Test
    void canonicalDependsOnNothingElseOfOurs() {
        noClasses().that().resideInAPackage("dev.unison.canonical..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.unison.connectors..", "dev.unison.hub..")
                .check(classes);
    }

    @Test
    void connectorsDependOnlyOnCanonicalAndTheKit() {
        noClasses().that().resideInAPackage("dev.unison.connectors..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.unison.hub..", "org.springframework..")
                .check(classes);
    }

    @Test
    void theImportSeesEveryModule() {
        org.assertj.core.api.Assertions.assertThat(classes.containPackage("dev.unison.canonical.model")).isTrue();
        org.assertj.core.api.Assertions.assertThat(classes.containPackage("dev.unison.connectors.kit.mapping")).isTrue();
        org.assertj.core.api.Assertions.assertThat(classes.containPackage("dev.unison.hub.bus")).isTrue();
    }
}
