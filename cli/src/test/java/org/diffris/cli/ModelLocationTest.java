package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.diffris.cli.testing.TestBundle;
import org.junit.jupiter.api.Test;

class ModelLocationTest {

  @Test
  void optionWins() throws Exception {
    assertEquals(Path.of("some/bundle"), ModelLocation.resolve(Path.of("some/bundle")));
  }

  @Test
  void searchStartsBesideTheCodeAndInTheWorkingFolder() {
    // the test classes live in cli/target/test-classes: walking up reaches the project root
    assertTrue(
        ModelLocation.startingPoints().stream().anyMatch(p -> p.startsWith(TestBundle.root())),
        ModelLocation.startingPoints()::toString);
  }

  @Test
  void embeddedBundleIsFoundWhenPresent() throws Exception {
    if (System.getenv(ModelLocation.ENVIRONMENT_VARIABLE) == null && TestBundle.embeddedExists()) {
      assertEquals(TestBundle.embedded().toRealPath(), ModelLocation.resolve(null).toRealPath());
    }
  }
}
