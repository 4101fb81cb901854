package dev.stride.kernel;

/**
 * Picks the update kernels once per JVM: the Vector API ones when {@code jdk.incubator.vector} is
 * in the boot layer, otherwise the scalar reference, after one log line saying how to enable the
 * fast path. Two system properties steer it:
 *
 * <ul>
 *   <li>{@value #IMPL_PROPERTY} = {@code scalar} or {@code vector}: force one (forcing {@code
 *       vector} without the module is an error);
 *   <li>{@value #BITS_PROPERTY} = {@code 128} or {@code 256}: the vector width; by default the
 *       machine's preferred width. Read once, when the vector kernels are first loaded.
 * </ul>
 */
public final class Kernels {
  public static final String IMPL_PROPERTY = "stride.kernels";
  public static final String BITS_PROPERTY = "stride.vector.bits";
  static final String VECTOR_MODULE = "jdk.incubator.vector";

  private Kernels() {}

  /** The kernels this JVM uses. */
  public static UpdateKernels get() {
    return Holder.DEFAULT;
  }

  /** The scalar reference kernels. */
  public static UpdateKernels scalar() {
    return Holder.SCALAR;
  }

  /**
   * The Vector API kernels.
   *
   * @throws IllegalStateException if {@code jdk.incubator.vector} is not in the boot layer
   */
  public static UpdateKernels vector() {
    if (!vectorModulePresent()) {
      throw new IllegalStateException(
          "the Vector API kernels need the JVM flag --add-modules " + VECTOR_MODULE);
    }
    return VectorHolder.VECTOR;
  }

  /** Whether {@link #get()} returns the Vector API kernels. */
  public static boolean usesVector() {
    return Holder.DEFAULT != Holder.SCALAR;
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
    static final UpdateKernels SCALAR = UpdateKernels.scalar();
    static final UpdateKernels DEFAULT = choose();

    private static UpdateKernels choose() {
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
          System.getLogger(Kernels.class.getName())
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
  // incubator types that the vector kernels refer to.
  private static final class VectorHolder {
    static final UpdateKernels VECTOR;

    static {
      try {
        var create =
            Class.forName(Kernels.class.getPackageName() + ".VectorKernels")
                .getDeclaredMethod("create");
        VECTOR = (UpdateKernels) create.invoke(null);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }
  }
}
