/**
 * The continuous-batching scheduler: a pure state machine that decides, step by step,
 * which sequences decode, which prompt chunks prefill and who is preempted, within the KV
 * cache's blocks and the step's token budget.
 */
package io.quiver.worker.scheduler;
