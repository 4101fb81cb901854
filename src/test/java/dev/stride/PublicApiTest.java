package dev.stride;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What {@code module-info} exports is the whole API: no public or protected member of an exported
 * package names a type of a package it does not export ({@code dev.stride.kernel}, {@code
 * dev.stride.internal}), which a modular application could not use.
 */
class PublicApiTest {
  private static final Path MODULE_INFO = Path.of("src", "main", "module", "module-info.java");

  @Test
  void moduleInfoExportsTheApiPackagesAlone() throws IOException {
    assertEquals(
        Set.of(
            "dev.stride.optim",
            "dev.stride.schedule",
            "dev.stride.checkpoint",
            "dev.stride.training",
            "dev.stride.tuning",
            "dev.stride.plot",
            "dev.stride.djl"),
        exported());
  }

  @Test
  void noPublicSignatureNamesAnUnexportedType() throws Exception {
    Set<String> exported = exported();
    List<String> leaks = new ArrayList<>();
    for (Class<?> c : classesOf(exported)) {
      if (!visible(c.getModifiers()) || !visibleEnclosing(c)) {
        continue;
      }
      List<Type> types = new ArrayList<>();
      types.add(c.getGenericSuperclass());
      types.addAll(List.of(c.getGenericInterfaces()));
      List<Executable> members = new ArrayList<>(List.of(c.getDeclaredConstructors()));
      members.addAll(List.of(c.getDeclaredMethods()));
      for (Executable e : members) {
        if (visible(e.getModifiers()) && !e.isSynthetic()) {
          types.addAll(List.of(e.getGenericParameterTypes()));
          types.addAll(List.of(e.getGenericExceptionTypes()));
          if (e instanceof Method m) {
            types.add(m.getGenericReturnType());
          }
          check(c.getName() + "." + e.getName(), types, exported, leaks);
          types.clear();
        }
      }
      for (Field f : c.getDeclaredFields()) {
        if (visible(f.getModifiers()) && !f.isSynthetic()) {
          check(c.getName() + "." + f.getName(), List.of(f.getGenericType()), exported, leaks);
        }
      }
      check(c.getName(), types, exported, leaks);
    }
    assertEquals(List.of(), leaks, "public signatures that name unexported types");
  }

  private static void check(
      String where, List<Type> types, Set<String> exported, List<String> out) {
    for (Type t : types) {
      for (Class<?> named : named(t)) {
        String pkg = named.getPackageName();
        if (pkg.startsWith("dev.stride") && !exported.contains(pkg)) {
          out.add(where + " names " + named.getName());
        }
      }
    }
  }

  /** The classes a type names, through arrays, type arguments and bounds. */
  private static List<Class<?>> named(Type t) {
    List<Class<?>> out = new ArrayList<>();
    if (t instanceof Class<?> c) {
      out.add(c.isArray() ? c.componentType() : c);
    } else if (t instanceof ParameterizedType p) {
      out.addAll(named(p.getRawType()));
      for (Type a : p.getActualTypeArguments()) {
        out.addAll(named(a));
      }
    } else if (t instanceof GenericArrayType a) {
      out.addAll(named(a.getGenericComponentType()));
    } else if (t instanceof WildcardType w) {
      Stream.concat(Stream.of(w.getUpperBounds()), Stream.of(w.getLowerBounds()))
          .forEach(b -> out.addAll(named(b)));
    } else if (t instanceof TypeVariable<?> v) {
      for (Type b : v.getBounds()) {
        if (!(b instanceof ParameterizedType p && p.getActualTypeArguments()[0] == v)) {
          out.addAll(named(b));
        }
      }
    }
    return out;
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static boolean visibleEnclosing(Class<?> c) {
    for (Class<?> e = c.getEnclosingClass(); e != null; e = e.getEnclosingClass()) {
      if (!visible(e.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  /** The packages {@code module-info.java} exports (it is compiled only when the jar is made). */
  private static Set<String> exported() throws IOException {
    return Files.readAllLines(MODULE_INFO).stream()
        .map(String::trim)
        .filter(l -> l.startsWith("exports "))
        .map(l -> l.substring("exports ".length(), l.length() - 1).trim())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static List<Class<?>> classesOf(Set<String> packages)
      throws IOException, URISyntaxException, ClassNotFoundException {
    Path root =
        Path.of(PublicApiTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .resolveSibling("classes");
    List<Class<?>> out = new ArrayList<>();
    for (String pkg : packages) {
      try (Stream<Path> files = Files.list(root.resolve(pkg.replace('.', '/')))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
          String name = f.getFileName().toString();
          out.add(
              Class.forName(
                  pkg + "." + name.substring(0, name.length() - ".class".length()),
                  false,
                  PublicApiTest.class.getClassLoader()));
        }
      }
    }
    return out;
  }
}
