# syntax=docker/dockerfile:1
# Quiver inference worker, CUDA variant. Build from the repository root after `./mvnw -B install -DskipTests`:
#   docker build -f docker/worker-cuda.Dockerfile -t quiver-worker-cuda:0.1.0 .
#
# How the CUDA build of PyTorch is selected: the worker jar carries DJL's pytorch-jni (whose JNI library comes in
# cpu and cu128 flavours) and pytorch-native-cpu. This build fetches DJL's pytorch-native-cu128 for the same
# PyTorch version from Maven Central, unpacks its libtorch into /opt/djl/pytorch and points DJL at it with
# PYTORCH_LIBRARY_PATH and PYTORCH_FLAVOR=cu128; the CPU natives are dropped from the image. Change
# DJL_PYTORCH_VERSION with the root pom's pytorch.version, and DJL_PYTORCH_FLAVOR with CUDA_IMAGE.
# Needs only the base image registry and Maven Central.
ARG JAVA_VERSION=25
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
ARG DJL_PYTORCH_VERSION=2.7.1
ARG DJL_PYTORCH_FLAVOR=cu128

FROM maven:3.9-eclipse-temurin-${JAVA_VERSION} AS natives
ARG DJL_PYTORCH_VERSION
ARG DJL_PYTORCH_FLAVOR
RUN mvn -B -q dependency:copy \
      -Dartifact=ai.djl.pytorch:pytorch-native-${DJL_PYTORCH_FLAVOR}:${DJL_PYTORCH_VERSION}:jar:linux-x86_64 \
      -DoutputDirectory=/natives \
 && mkdir -p /unpacked /opt/djl/pytorch \
 && cd /unpacked && jar xf /natives/pytorch-native-${DJL_PYTORCH_FLAVOR}-${DJL_PYTORCH_VERSION}-linux-x86_64.jar \
 && cp -a /unpacked/pytorch/${DJL_PYTORCH_FLAVOR}/linux-x86_64/. /opt/djl/pytorch/

FROM eclipse-temurin:${JAVA_VERSION}-jdk AS build
COPY docker/HttpProbe.java /src/HttpProbe.java
RUN javac -d /out/probe /src/HttpProbe.java
COPY inference-worker/target/quiver-inference-worker-*-exec.jar /src/app.jar
RUN java -Djarmode=tools -jar /src/app.jar extract --layers --launcher --destination /out/app \
 && find /out/app -name 'pytorch-native-cpu-*.jar' -delete \
 && find /out/app -name classpath.idx -exec sed -i '/pytorch-native-cpu-/d' {} +

FROM eclipse-temurin:${JAVA_VERSION}-jre AS jre

FROM ${CUDA_IMAGE}
ARG DJL_PYTORCH_VERSION
ARG DJL_PYTORCH_FLAVOR
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH="${JAVA_HOME}/bin:${PATH}"
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
RUN groupadd --system --gid 10001 quiver \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin quiver
COPY --from=natives /opt/djl/pytorch /opt/djl/pytorch
WORKDIR /opt/quiver
COPY --from=build /out/app/dependencies/ ./
COPY --from=build /out/app/spring-boot-loader/ ./
COPY --from=build /out/app/snapshot-dependencies/ ./
COPY --from=build /out/app/application/ ./
COPY --from=build /out/probe/ /opt/quiver/probe/
ENV PYTORCH_LIBRARY_PATH=/opt/djl/pytorch \
    PYTORCH_VERSION=${DJL_PYTORCH_VERSION} \
    PYTORCH_FLAVOR=${DJL_PYTORCH_FLAVOR} \
    DJL_CACHE_DIR=/tmp/djl \
    ENGINE_CACHE_DIR=/tmp/djl \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp -Dai.djl.offline=true" \
    QUIVER_WORKER_MODEL_DIR=/models/base \
    QUIVER_WORKER_ADAPTERS_DIR=/var/cache/quiver/adapters \
    QUIVER_WORKER_SOURCES_CACHE_DIR=/var/cache/quiver/adapters/.downloads \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
USER 10001:10001
EXPOSE 8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=300s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx16m", "-cp", "/opt/quiver/probe", "HttpProbe", "http://127.0.0.1:8081/actuator/health/liveness"]
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "org.springframework.boot.loader.launch.JarLauncher"]
