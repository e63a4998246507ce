/**
 * Scenario files (shared SCENARIO.md): parsing ({@link dev.palisade.scenario.ScenarioParser}),
 * a simulated cluster that plays API server admission and kubelet/CNI
 * ({@link dev.palisade.scenario.ClusterState}), and the offline run with the reference evaluator
 * ({@link dev.palisade.scenario.ScenarioRunner}, {@link dev.palisade.scenario.MatrixEvaluator}).
 * Rendering lives in the CLI; nothing here prints.
 */
package dev.palisade.scenario;
