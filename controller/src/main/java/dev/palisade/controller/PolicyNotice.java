package dev.palisade.controller;

import static com.google.common.base.Preconditions.checkArgument;

import dev.palisade.model.ObjectRef;

/**
 * What the controller tells the authors of one policy about one problem: a lint finding, or the
 * fact that the policy cannot be read at all. It becomes a Kubernetes Event whose reason is
 * {@code code}, of type Warning when {@code warning} is set and Normal otherwise.
 */
public record PolicyNotice(ObjectRef policy, String code, boolean warning, String text) {

  public PolicyNotice {
    checkArgument(policy != null, "a notice names its policy");
    checkArgument(code != null && code.matches("[A-Za-z][A-Za-z0-9]{0,54}"),
        "a notice code is one word of at most 55 letters and digits (an Event reason and a label"
            + " value, also with 'Resolved' appended), got '%s'",
        code);
    checkArgument(text != null && !text.isBlank(), "a notice says something");
  }
}
