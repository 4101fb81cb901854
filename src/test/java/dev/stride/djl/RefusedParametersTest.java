package dev.stride.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every parameter the adapter cannot update in place is refused with a message that names it, the
 * problem and the fix, and the refusal changes nothing: no parameter registered, no weight written,
 * no step taken; the optimizer goes on with the good parameters as before.
 */
class RefusedParametersTest {
  private NDManager manager;

  /** Where the refused weights live: trainable arrays beside the good one would count for it. */
  private NDManager refused;

  private StrideOptimizer stride;

  /** A weight the adapter takes, of four floats: 1, 2, 3, 4. */
  private NDArray good;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager(StrideOptimizer.ENGINE);
    refused = NDManager.newBaseManager(StrideOptimizer.ENGINE);
    stride = StrideOptimizer.of("SGD", Map.of("lr", 0.5));
    good = trainable(manager.create(new float[] {1, 2, 3, 4}));
  }

  @AfterEach
  void close() {
    stride.close();
    refused.close();
    manager.close();
  }

  private static NDArray trainable(NDArray a) {
    a.setRequiresGradient(true);
    return a;
  }

  private NDArray ones(long n) {
    return manager.ones(new Shape(n));
  }

  /** A parameter the first update refuses: its weight, its gradient, the message's words. */
  record Bad(
      String description,
      Function<RefusedParametersTest, NDArray> weight,
      Function<RefusedParametersTest, NDArray> grad,
      String... message) {
    @Override
    public String toString() {
      return description;
    }
  }

  static Stream<Bad> badParameters() {
    return Stream.of(
        new Bad(
            "a float64 weight",
            t -> trainable(t.refused.ones(new Shape(4), DataType.FLOAT64)),
            t -> t.ones(4),
            "its weight is float64",
            "train in float32"),
        new Bad(
            "a weight that is not contiguous",
            t -> trainable(t.refused.arange(12f).reshape(3, 4).transpose()),
            t -> t.ones(12),
            "not contiguous",
            "make it contiguous"),
        new Bad(
            "a weight on a GPU",
            t -> override(t.good, "getDevice", Device.gpu()),
            t -> t.ones(4),
            "its weight is on gpu(0)",
            "train on the CPU"),
        new Bad(
            "a weight of another engine",
            t -> override(t.good, "getManager", otherEngine(t.manager)),
            t -> t.ones(4),
            "DJL's MXNet engine",
            "use DJL's PyTorch engine"),
        new Bad(
            "a weight whose buffer is not its memory",
            t -> override(t.good, "toByteBuffer", ByteBuffer.allocate(16)),
            t -> t.ones(4),
            "no writable direct buffer",
            "use DJL's PyTorch engine"),
        new Bad(
            "a closed weight",
            t -> {
              NDArray w = trainable(t.refused.ones(new Shape(4)));
              w.close();
              return w;
            },
            t -> t.ones(4),
            "its weight is closed"),
        new Bad(
            "a gradient of another length",
            t -> t.good,
            t -> t.ones(3),
            "its gradient (3) is not a direct buffer of 4 floats",
            "pass a gradient of the weight's shape"),
        new Bad(
            "a float16 gradient",
            t -> t.good,
            t -> t.manager.ones(new Shape(4), DataType.FLOAT16),
            "its gradient is float16"));
  }

  @ParameterizedTest(name = "{0} is refused and changes nothing")
  @MethodSource("badParameters")
  void aRefusedParameterChangesNothing(Bad bad) {
    NDArray weight = bad.weight().apply(this);
    NDArray grad = bad.grad().apply(this);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> stride.update("p1", weight, grad));
    for (String words : bad.message()) {
      assertTrue(e.getMessage().contains(words), "\"" + words + "\" in: " + e.getMessage());
    }
    assertTrue(e.getMessage().startsWith("parameter p1 ("), e.getMessage());
    assertTrue(e.getMessage().endsWith("Nothing was changed."), e.getMessage());
    assertNothingChanged();
  }

  @Test
  void aGroupTheOptimizerDoesNotHaveIsRefused() {
    stride.route(p -> 5);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> stride.update("p1", good, ones(4)));
    assertTrue(
        e.getMessage().contains("route put parameter p1 (") && e.getMessage().contains("group 5"),
        e.getMessage());
    assertTrue(e.getMessage().contains("optimizer() has 1 group"), e.getMessage());
    stride.close();
    stride = StrideOptimizer.of("SGD", Map.of("lr", 0.5));
    assertNothingChanged();
  }

  /** After a refusal: nothing registered or stepped, and the good weight updates as ever. */
  private void assertNothingChanged() {
    assertEquals(List.of(), stride.parameters());
    assertEquals(0, stride.optimizer().stepCount());
    assertArrayEquals(new float[] {1, 2, 3, 4}, good.toFloatArray());
    stride.update("good", good, manager.create(new float[] {2, 2, 2, 2}));
    assertArrayEquals(new float[] {0, 1, 2, 3}, good.toFloatArray());
    assertEquals(1, stride.optimizer().stepCount());
  }

  @Test
  void aWeightWhoseMemoryMovedIsRefusedAndKeepsItsState() {
    stride.update("good", good, manager.create(new float[] {2, 2, 2, 2}));
    long before = stride.optimizer().stepCount();
    good.set(new float[] {5, 6, 7, 8}); // DJL gives the tensor new memory
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> stride.update("good", good, manager.create(new float[] {1, 1, 1, 1})));
    assertTrue(e.getMessage().contains("its weight moved from 0x"), e.getMessage());
    assertTrue(e.getMessage().contains("write new values into the weight in place"));
    assertEquals(before, stride.optimizer().stepCount());
    assertArrayEquals(new float[] {5, 6, 7, 8}, good.toFloatArray(), "not written");
  }

  @Test
  void aTrainerStepThatMissesAParameterIsRefused() {
    NDArray other = trainable(manager.create(new float[] {10, 20}));
    stride.update("good", good, manager.create(new float[] {2, 2, 2, 2}));
    stride.update("other", other, manager.create(new float[] {2, 2}));
    assertEquals(1, stride.optimizer().stepCount());
    stride.update("good", good, manager.create(new float[] {2, 2, 2, 2})); // "other" is missed
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> stride.update("good", good, manager.create(new float[] {2, 2, 2, 2})));
    assertTrue(e.getMessage().contains("updated 1 of the 2 registered parameters, not [other"));
    assertEquals(1, stride.optimizer().stepCount(), "the incomplete trainer step changed nothing");
    assertArrayEquals(new float[] {0, 1, 2, 3}, good.toFloatArray());
    // a whole trainer step afterwards is taken
    stride.update("other", other, manager.create(new float[] {2, 2}));
    stride.update("good", good, manager.create(new float[] {2, 2, 2, 2}));
    assertEquals(2, stride.optimizer().stepCount());
  }

  @Test
  void aParameterFirstSeenAfterTheFirstTrainerStepIsRefused() {
    stride.update("good", good, manager.create(new float[] {2, 2, 2, 2}));
    NDArray late = trainable(manager.create(new float[] {1}));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> stride.update("late", late, manager.create(new float[] {1})));
    assertTrue(e.getMessage().contains("parameter late ("), e.getMessage());
    assertTrue(e.getMessage().contains("not updated in the first trainer step"), e.getMessage());
    assertEquals(1, stride.parameters().size());
  }

  /**
   * When the first weight's manager holds a trainable array DJL does not update, the first trainer
   * step ends when an id comes again: its update is made then, once, with a warning.
   */
  @Test
  void anUncountableFirstTrainerStepEndsWhenAnIdComesAgain() {
    trainable(manager.ones(new Shape(3))); // trainable, in the manager, never updated
    NDArray other = trainable(manager.create(new float[] {10, 20}));
    List<LogRecord> warnings = new java.util.ArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            warnings.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger logger = Logger.getLogger(StrideOptimizer.class.getName());
    logger.addHandler(handler);
    try {
      stride.update("good", good, manager.create(new float[] {2, 2, 2, 2}));
      stride.update("other", other, manager.create(new float[] {2, 2}));
      assertEquals(0, stride.optimizer().stepCount(), "not counted yet");
      stride.update("other", other, manager.create(new float[] {2, 2}));
      assertEquals(1, stride.optimizer().stepCount(), "the first trainer step, late");
      stride.update("good", good, manager.create(new float[] {2, 2, 2, 2}));
      assertEquals(2, stride.optimizer().stepCount(), "the second, on time");
      assertArrayEquals(new float[] {-1, 0, 1, 2}, good.toFloatArray());
      assertArrayEquals(new float[] {8, 18}, other.toFloatArray());
      assertEquals(1, warnings.size());
      assertTrue(warnings.get(0).getMessage().contains("register(block)"));
    } finally {
      logger.removeHandler(handler);
    }
  }

  @Test
  void registeringABlockAheadMakesTheFirstTrainerStepOneStep() {
    try (Model model = DjlModels.mlp(4, 5);
        StrideOptimizer ahead = StrideOptimizer.of("SGD", Map.of("lr", 0.1))) {
      var trainer = DjlModels.trainer(model, ahead);
      ahead.register(model.getBlock());
      assertEquals(6, ahead.parameters().size());
      assertEquals(
          model.getBlock().getParameters().get(0).getValue().getId(),
          ahead.parameters().get(0).id());
      IllegalStateException twice =
          assertThrows(IllegalStateException.class, () -> ahead.register(model.getBlock()));
      assertTrue(twice.getMessage().contains("registered already"), twice.getMessage());
      DjlModels.forwardBackward(trainer, DjlModels.batch(trainer.getManager(), 5, 0, 8));
      trainer.step();
      assertEquals(1, ahead.optimizer().stepCount());
      trainer.close();
    }
  }

  /** {@code array} with one method answering {@code value} instead. */
  private static NDArray override(NDArray array, String method, Object value) {
    return (NDArray)
        Proxy.newProxyInstance(
            NDArray.class.getClassLoader(),
            new Class<?>[] {NDArray.class},
            (proxy, m, args) -> {
              if (m.getName().equals(method)) {
                return value;
              }
              try {
                return m.invoke(array, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** A manager like {@code manager} whose engine is called MXNet. */
  private static NDManager otherEngine(NDManager manager) {
    Engine mxnet =
        new Engine() {
          @Override
          public Engine getAlternativeEngine() {
            return null;
          }

          @Override
          public String getEngineName() {
            return "MXNet";
          }

          @Override
          public int getRank() {
            return 0;
          }

          @Override
          public String getVersion() {
            return "0";
          }

          @Override
          public boolean hasCapability(String capability) {
            return false;
          }

          @Override
          public Model newModel(String name, Device device) {
            throw new UnsupportedOperationException();
          }

          @Override
          public NDManager newBaseManager() {
            throw new UnsupportedOperationException();
          }

          @Override
          public NDManager newBaseManager(Device device) {
            throw new UnsupportedOperationException();
          }
        };
    return (NDManager)
        Proxy.newProxyInstance(
            NDManager.class.getClassLoader(),
            new Class<?>[] {NDManager.class},
            (proxy, m, args) -> {
              if (m.getName().equals("getEngine")) {
                return mxnet;
              }
              try {
                return m.invoke(manager, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
