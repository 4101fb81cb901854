package dev.stride.djl;

import ai.djl.ndarray.types.Shape;

/**
 * A DJL parameter as {@link StrideOptimizer#route} sees it when it registers it: the id DJL's
 * trainer updates it by ({@code ai.djl.nn.Parameter.getId()}), its name ({@code
 * ai.djl.nn.Parameter.getName()}, which is also its array's: {@code "weight"}, {@code "bias"},
 * {@code "gamma"}, {@code "beta"}, …) and its shape.
 */
public record DjlParameter(String id, String name, Shape shape) {}
