package org.virtlxc.tests.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Measured values by name (milliseconds or bytes), in the order first recorded. */
final class Samples {
  private final Map<String, List<Double>> values = new LinkedHashMap<>();

  void add(String name, double value) {
    values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
  }

  void addNanos(String name, long nanos) {
    add(name, nanos / 1e6);
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  List<Double> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  /** The smallest value (the quietest run on a noisy machine); NaN when nothing was recorded. */
  double min(String name) {
    return all(name).stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  /** The median (mean of the two middle values for an even count); NaN when nothing was recorded. */
  double median(String name) {
    List<Double> v = new ArrayList<>(all(name));
    if (v.isEmpty()) {
      return Double.NaN;
    }
    v.sort(Double::compare);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }
}
