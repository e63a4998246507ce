package dev.palisade.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The product's packages (model, dataplane, agent, controller, cli, k8s, ...) depend on each
 * other without cycles, so that each can be read, tested and moved on its own: the command line
 * sits on top, and no runtime package reaches back into it.
 */
class PackageCyclesTest {
  private static final JavaClasses PRODUCT = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      // the test fixtures of the other modules arrive as their *-tests.jar
      .withImportOption(location -> !location.contains("-tests.jar"))
      .importPackages("dev.palisade");

  @Test
  void packagesHaveNoCycles() {
    slices().matching("dev.palisade.(*)..").should().beFreeOfCycles().check(PRODUCT);
  }

  @Test
  void theDataplanesPackagesHaveNoCycles() {
    slices().matching("dev.palisade.dataplane.(*)..").should().beFreeOfCycles().check(PRODUCT);
  }

  @Test
  void theModelsPackagesHaveNoCycles() {
    slices().matching("dev.palisade.model.(*)..").should().beFreeOfCycles().check(PRODUCT);
  }
}
