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
