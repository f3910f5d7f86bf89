package dev.unison.hub.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
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

    /**
     * The hub finds connectors at start-up and the demo shops start themselves: its code names no
     * connector but the kit (and the POS transaction format, until the POS feeds become a connector
     * of their own), no simulator and nothing of the demo module.
     */
    static final ArchRule HUB_NAMES_NO_CONNECTOR_OR_SIMULATOR = noClasses().that().resideInAPackage("dev.unison.hub..")
            .should().dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage("dev.unison.demo..", "..simulator..")
                    .or(JavaClass.Predicates.resideInAPackage("dev.unison.connectors..")
                            .and(JavaClass.Predicates.resideOutsideOfPackages("dev.unison.connectors.kit..",
                                    "dev.unison.canonical.pos..")))
                    .as("a connector other than the kit, a simulator or the demo module"));

    @Test
    void theHubNamesNoConnectorNoSimulatorAndNoDemoShop() {
        HUB_NAMES_NO_CONNECTOR_OR_SIMULATOR.check(classes);
    }

    @Test
    void theBoundaryRuleCatchesAViolation() {
        // a deliberate violation (test code, outside the import above): the rule must report it
        JavaClasses offender = new ClassFileImporter().importClasses(dev.unison.hub.arch.fixture.HubClassUsingASimulator.class);
        org.assertj.core.api.Assertions.assertThat(HUB_NAMES_NO_CONNECTOR_OR_SIMULATOR.evaluate(offender).hasViolation()).isTrue();
    }

    /**
     * The hub's packages depend on each other in one direction only (the first step towards
     * modules: a cycle cannot be cut along a module boundary). {@code config} wires everything and
     * nothing depends on it.
     */
    @Test
    void theHubsPackagesHaveNoCycles() {
        com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices().matching("dev.unison.hub.(*)..")
                .should().beFreeOfCycles().check(classes);
        noClasses().that().resideInAPackage("dev.unison.hub..").and().resideOutsideOfPackage("dev.unison.hub.config..")
                .should().dependOnClassesThat().resideInAPackage("dev.unison.hub.config..").check(classes);
    }

    @Test
    void theImportSeesEveryModule() {
        org.assertj.core.api.Assertions.assertThat(classes.containPackage("dev.unison.canonical.model")).isTrue();
        org.assertj.core.api.Assertions.assertThat(classes.containPackage("dev.unison.connectors.kit.mapping")).isTrue();
        org.assertj.core.api.Assertions.assertThat(classes.containPackage("dev.unison.hub.bus")).isTrue();
        org.assertj.core.api.Assertions.assertThat(classes.containPackage("dev.unison.demo")).isTrue();
    }
}
