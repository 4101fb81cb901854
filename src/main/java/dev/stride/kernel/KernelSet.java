package dev.stride.kernel;

import java.lang.reflect.InvocationTargetException;

/**
 * One implementation of every kernel: the scalar references or the Vector API forms. A kernel is
 * found by its interface's name, as Lucene's provider finds its Panama implementation: {@code
 * AdamKernel}'s reference is {@code AdamScalar} and its vector form {@code AdamVector}, in this
 * package. A new rule's kernel is its three files and nothing else.
 *
 * <p>Each kernel updates {@code count} float32 elements starting at element {@code offset} of every
 * segment it is given; its interface states the formulas and holds the per-step coefficients. The
 * {@code *Scalar} classes are the readable references; the {@code *Vector} classes do the same
 * float operations in the same order, so the two agree to the bit. Neither fuses a multiply and an
 * add: FMA rounds once where the reference rounds twice, and it did not make the divider-bound
 * rules faster.
 *
 * <p>Segments are native, 4-byte aligned, of native byte order, and hold at least {@code offset +
 * count} floats; the caller ({@code dev.stride.optim}) checks all that once, not per step. Native
 * matters beyond the call: once a Vector API load has seen a heap segment, C2 compiles every kernel
 * in the JVM for both kinds, and Adam's ran 5.5× slower in cache and 1.6× from DRAM ({@code
 * HeapSegmentCost} in BENCHMARKS.md).
 *
 * <p>The set a JVM uses is picked once: the Vector API one when {@code jdk.incubator.vector} is in
 * the boot layer, otherwise the scalar reference, after one log line saying how to enable the fast
 * path. Two system properties steer it: {@value #IMPL_PROPERTY} = {@code scalar} or {@code vector}
 * forces one (forcing {@code vector} without the module is an error), and {@value #BITS_PROPERTY} =
 * {@code 128} or {@code 256} sets the vector width (by default the machine's preferred one), read
 * once, when the vector kernels are first loaded.
 */
public final class KernelSet {
  public static final String IMPL_PROPERTY = "stride.kernels";
  public static final String BITS_PROPERTY = "stride.vector.bits";
  static final String VECTOR_MODULE = "jdk.incubator.vector";
  private static final String INTERFACE_SUFFIX = "Kernel";

  private final String name;
  private final String suffix;
  private final int lanes;
  private final ClassValue<Object> kernels =
      new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
          return load(type);
        }
      };

  private KernelSet(String name, String suffix, int lanes) {
    this.name = name;
    this.suffix = suffix;
    this.lanes = lanes;
  }

  /** The set this JVM uses by default. */
  public static KernelSet standard() {
    return Holder.STANDARD;
  }

  /** The scalar references. */
  public static KernelSet scalar() {
    return Holder.SCALAR;
  }

  /**
   * The Vector API forms.
   *
   * @throws IllegalStateException if {@code jdk.incubator.vector} is not in the boot layer
   */
  public static KernelSet vector() {
    if (!vectorModulePresent()) {
      throw new IllegalStateException(
          "the Vector API kernels need the JVM flag --add-modules " + VECTOR_MODULE);
    }
    return VectorHolder.VECTOR;
  }

  /** {@code "scalar"} or, say, {@code "512-bit vector"}. */
  public String name() {
    return name;
  }

  /** How many elements one iteration of a main loop updates: 1 for the references. */
  public int lanes() {
    return lanes;
  }

  /**
   * This set's implementation of {@code kernel}, an interface of this package named {@code
   * XKernel}; one instance per set, made on first use.
   */
  public <K> K get(Class<K> kernel) {
    return kernel.cast(kernels.get(kernel));
  }

  private Object load(Class<?> type) {
    String simple = type.getSimpleName();
    if (!type.isInterface()
        || type.getPackage() != KernelSet.class.getPackage()
        || !simple.endsWith(INTERFACE_SUFFIX)) {
      throw new IllegalArgumentException(
          type + " is not a kernel: an interface XKernel of " + KernelSet.class.getPackageName());
    }
    String implementation =
        type.getPackageName()
            + "."
            + simple.substring(0, simple.length() - INTERFACE_SUFFIX.length())
            + suffix;
    try {
      return Class.forName(implementation).getDeclaredConstructor().newInstance();
    } catch (ClassNotFoundException
        | NoSuchMethodException
        | InstantiationException
        | IllegalAccessException e) {
      throw new IllegalStateException(type.getSimpleName() + " has no " + implementation, e);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("cannot make " + implementation, e.getCause());
    }
  }

  @Override
  public String toString() {
    return name + " kernels";
  }

  static int vectorBits() {
    String bits = System.getProperty(BITS_PROPERTY);
    if (bits == null || bits.isBlank()) {
      return 0;
    }
    return switch (bits.trim()) {
      case "128" -> 128;
      case "256" -> 256;
      default ->
          throw new IllegalArgumentException(
              BITS_PROPERTY + " must be 128 or 256, got \"" + bits + "\"");
    };
  }

  private static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
  }

  private static final class Holder {
    static final KernelSet SCALAR = new KernelSet("scalar", "Scalar", 1);
    static final KernelSet STANDARD = choose();

    private static KernelSet choose() {
      String forced = System.getProperty(IMPL_PROPERTY, "").trim();
      switch (forced) {
        case "scalar":
          return SCALAR;
        case "vector":
          return vector();
        case "":
          if (vectorModulePresent()) {
            return vector();
          }
          System.getLogger(KernelSet.class.getName())
              .log(
                  System.Logger.Level.WARNING,
                  "Stride uses its scalar kernels: the Vector API is not enabled; pass the JVM flag"
                      + " --add-modules "
                      + VECTOR_MODULE
                      + " for the fast ones");
          return SCALAR;
        default:
          throw new IllegalArgumentException(
              IMPL_PROPERTY + " must be scalar or vector, got \"" + forced + "\"");
      }
    }
  }

  // Loaded by name and only when asked for, so that a JVM without the module never links the
  // incubator types that the vector kernels and Vectors refer to.
  private static final class VectorHolder {
    static final KernelSet VECTOR;

    static {
      try {
        int lanes =
            (int)
                Class.forName(KernelSet.class.getPackageName() + ".Vectors")
                    .getDeclaredMethod("lanes")
                    .invoke(null);
        VECTOR = new KernelSet(lanes * Float.SIZE + "-bit vector", "Vector", lanes);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }
  }
}
