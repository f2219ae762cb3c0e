# Sourced by app/rnn (for --spark) and app/spark-cluster: the JVM options every Spark JVM of the
# project gets on Java 17. Spark opens these JDK packages to its classes: Spark's own list
# (org.apache.spark.launcher.JavaModuleOptions), without the options of newer JDKs and the incubator
# vector module, which warns at every start.
spark_java_opts=()
for pkg in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
           java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  spark_java_opts+=(--add-opens=java.base/$pkg=ALL-UNNAMED)
done
spark_java_opts+=(--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true)

# spark_home HOME TARGET: HOME as a Spark installation's SPARK_HOME, from the Spark build TARGET:
# HOME/jars holds Spark's jars (links into TARGET/lib, leaving out rnn and its DL4J, ND4J, JavaCPP,
# OpenBLAS, picocli and plotting stacks, which a cluster gets from rnn-spark.jar) and HOME/conf rnn's
# logback configuration (warnings only, on stderr).
# Made again only when the build is newer: a running driver opens its jars lazily, so another run must
# not remove them under it.
spark_home() {
  local home=$1 target=$2 jar
  [[ -f $home/.made && ! $target/rnn-spark.jar -nt $home/.made ]] && return 0
  rm -rf "$home/jars" "$home/.made"
  mkdir -p "$home/jars" "$home/conf"
  for jar in "$target"/lib/*.jar; do
    case ${jar##*/} in
      *-1.0.0-M2.1*.jar|javacpp-*|openblas-*|picocli-*|progressbar-*|xchart-*|VectorGraphics2D-*|graphics2d-*|\
      pdfbox-*|fontbox-*|animated-gif-lib-*) ;;
      *) ln -s "$jar" "$home/jars/" ;;
    esac
  done
  ln -sf "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/src/main/resources/logback.xml" "$home/conf/logback.xml"
  touch "$home/.made"
}
