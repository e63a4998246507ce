package dev.palisade.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.model.ObjectRef;
import dev.palisade.model.lint.Finding;
import dev.palisade.model.lint.Severity;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LinterNoticesTest {

  @ParameterizedTest(name = "{0} is a {1} Event")
  @CsvSource({"ERROR, true", "WARNING, true", "INFO, false"})
  void severityChoosesTheEventType(Severity severity, boolean warning) {
    Finding finding = new Finding("PAL001", severity, ObjectRef.of("x", "web"),
        "podSelector {pod=b} selects no pod", "check the labels");

    PolicyNotice notice = LinterNotices.notice(finding);

    assertThat(notice).isEqualTo(new PolicyNotice(ObjectRef.of("x", "web"), "PAL001", warning,
        "podSelector {pod=b} selects no pod. Fix: check the labels"));
  }
}
