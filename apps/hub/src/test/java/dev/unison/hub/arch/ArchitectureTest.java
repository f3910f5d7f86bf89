package dev.unison.hub.arch;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import dev.unison.hub.arch.fixture.HubClassUsingASimulator;
import dev.unison.platform.arch.fixture.PlatformClassUsingADomain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout is the architecture (docs/ARCHITECTURE.md "Module map"). Dependencies point one way:
 * {@code canonical} ← {@code connector-kit} ← platform ← domains ← apps, and connectors know only
 * {@code canonical} and the kit. Each rule is checked on every class of every module on the hub's
 * classpath; the last tests show that a rule does catch a violation.
 */
class ArchitectureTest {

    static final String CANONICAL = "dev.unison.canonical..";
    static final String KIT = "dev.unison.connectors.kit..";
    static final String PLATFORM = "dev.unison.platform..";
    static final String[] DOMAINS = {"dev.unison.orders..", "dev.unison.identity..", "dev.unison.inventory..",
            "dev.unison.attribution..", "dev.unison.carts.."};
    static final String APPS = "dev.unison.hub..";
    static final String DEMO = "dev.unison.demo..";

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.unison");
    }

    @Test
    void canonicalDependsOnNoCamelAndNoSpring() {
        noClasses().that().resideInAPackage(CANONICAL)
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.camel..", "org.springframework..")
                .check(classes);
    }

    @Test
    void canonicalDependsOnNothingElseOfOurs() {
        noClasses().that().resideInAPackage(CANONICAL)
                .should().dependOnClassesThat(resideInAPackage("dev.unison..").and(resideOutsideOfPackages(CANONICAL)))
                .check(classes);
    }

    @Test
    void connectorsDependOnlyOnCanonicalAndTheKit() {
        noClasses().that().resideInAPackage("dev.unison.connectors..")
                .should().dependOnClassesThat(resideInAPackage("dev.unison..")
                        .and(resideOutsideOfPackages(CANONICAL, "dev.unison.connectors..")))
                .check(classes);
        noClasses().that().resideInAPackage("dev.unison.connectors..")
                .should().dependOnClassesThat().resideInAPackage("org.springframework..").check(classes);
    }

    @Test
    void aConnectorNamesNoOtherConnector() {
        SlicesRuleDefinition.slices().matching("dev.unison.connectors.(*)..").should().notDependOnEachOther()
                .ignoreDependency(resideInAPackage("dev.unison.connectors.."), resideInAPackage(KIT))
                .check(classes);
    }

    /** The platform serves every domain and connector, so it names none of them (the kit excepted). */
    static final ArchRule PLATFORM_NAMES_NO_DOMAIN_CONNECTOR_OR_APP = noClasses().that().resideInAPackage(PLATFORM)
            .should().dependOnClassesThat(resideInAnyPackage(DOMAINS).or(resideInAnyPackage(APPS, DEMO))
                    .or(resideInAPackage("dev.unison.connectors..").and(resideOutsideOfPackages(KIT)))
                    .as("a domain, a connector other than the kit (or its simulator) or an app"));

    @Test
    void thePlatformNamesNoDomainNoConnectorAndNoApp() {
        PLATFORM_NAMES_NO_DOMAIN_CONNECTOR_OR_APP.check(classes);
    }

    @Test
    void domainsNeverKnowAConnectorASimulatorOrAnApp() {
        noClasses().that().resideInAnyPackage(DOMAINS)
                .should().dependOnClassesThat(resideInAnyPackage(APPS, DEMO, "..simulator..")
                        .or(resideInAPackage("dev.unison.connectors..").and(resideOutsideOfPackages(KIT)))
                        .as("a connector other than the kit, a simulator or an app"))
                .check(classes);
    }

    /**
     * The hub finds connectors at start-up and the demo shops start themselves: its code names no
     * connector but the kit, no simulator and nothing of the demo module.
     */
    static final ArchRule HUB_NAMES_NO_CONNECTOR_OR_SIMULATOR = noClasses().that().resideInAPackage(APPS)
            .should().dependOnClassesThat(resideInAnyPackage(DEMO, "..simulator..")
                    .or(resideInAPackage("dev.unison.connectors..").and(resideOutsideOfPackages(KIT)))
                    .as("a connector other than the kit, a simulator or the demo module"));

    @Test
    void theHubNamesNoConnectorNoSimulatorAndNoDemoShop() {
        HUB_NAMES_NO_CONNECTOR_OR_SIMULATOR.check(classes);
    }

    /** Top-level areas (canonical, connectors, platform, each domain, the apps) and the platform's modules form no cycle. */
    @Test
    void noCycles() {
        SlicesRuleDefinition.slices().matching("dev.unison.(*)..").should().beFreeOfCycles().check(classes);
        SlicesRuleDefinition.slices().matching("dev.unison.platform.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theBoundaryRulesCatchAViolation() {
        // deliberate violations (test code, outside the import above): the rules must report them
        assertThat(HUB_NAMES_NO_CONNECTOR_OR_SIMULATOR.evaluate(
                new ClassFileImporter().importClasses(HubClassUsingASimulator.class)).hasViolation()).isTrue();
        assertThat(PLATFORM_NAMES_NO_DOMAIN_CONNECTOR_OR_APP.evaluate(
                new ClassFileImporter().importClasses(PlatformClassUsingADomain.class)).hasViolation()).isTrue();
    }

    @Test
    void theImportSeesEveryModule() {
        for (String p : new String[] {"dev.unison.canonical.model", "dev.unison.connectors.kit.mapping",
                "dev.unison.connectors.shopify", "dev.unison.platform.bus", "dev.unison.platform.edge",
                "dev.unison.platform.storage", "dev.unison.platform.connectors", "dev.unison.orders", "dev.unison.identity",
                "dev.unison.inventory", "dev.unison.attribution", "dev.unison.carts", "dev.unison.hub", "dev.unison.demo"}) {
            assertThat(classes.containPackage(p)).as(p).isTrue();
        }
    }
}
