# syntax=docker/dockerfile:1
# Quiver inference worker, CPU variant (PyTorch's CPU natives from Maven Central, inside the jar). Build from the
# repository root after `./mvnw -B install -DskipTests`:
#   docker build -f docker/worker.Dockerfile -t quiver-worker:0.1.0 .
# The GPU variant is docker/worker-cuda.Dockerfile.
ARG JAVA_VERSION=25

FROM eclipse-temurin:${JAVA_VERSION}-jdk AS build
COPY docker/HttpProbe.java /src/HttpProbe.java
RUN javac -d /out/probe /src/HttpProbe.java
COPY inference-worker/target/quiver-inference-worker-*-exec.jar /src/app.jar
RUN java -Djarmode=tools -jar /src/app.jar extract --layers --launcher --destination /out/app

FROM eclipse-temurin:${JAVA_VERSION}-jre
RUN groupadd --system --gid 10001 quiver \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin quiver
WORKDIR /opt/quiver
COPY --from=build /out/app/dependencies/ ./
COPY --from=build /out/app/spring-boot-loader/ ./
COPY --from=build /out/app/snapshot-dependencies/ ./
COPY --from=build /out/app/application/ ./
COPY --from=build /out/probe/ /opt/quiver/probe/
# DJL unpacks its native libraries into a cache: on a read-only root that must be /tmp. Offline: the natives ship
# in the image, nothing is downloaded at run time.
ENV DJL_CACHE_DIR=/tmp/djl \
    ENGINE_CACHE_DIR=/tmp/djl \
    PYTORCH_FLAVOR=cpu \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp -Dai.djl.offline=true" \
    QUIVER_WORKER_MODEL_DIR=/models/base \
    QUIVER_WORKER_ADAPTERS_DIR=/var/cache/quiver/adapters \
    QUIVER_WORKER_SOURCES_CACHE_DIR=/var/cache/quiver/adapters/.downloads
USER 10001:10001
EXPOSE 8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=300s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx16m", "-cp", "/opt/quiver/probe", "HttpProbe", "http://127.0.0.1:8081/actuator/health/liveness"]
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector", "org.springframework.boot.loader.launch.JarLauncher"]
