/** The hand-over both apps share (api, web): preview port, verified, then the live port. */
export { closeOnSignal, listenPreviewThenLive, VERIFIED } from "./listen";
export { healthcheck, type HealthcheckPlan } from "./healthcheck";
export { probe, type Probe } from "./probe";
