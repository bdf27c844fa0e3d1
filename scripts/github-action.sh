#!/usr/bin/env bash
# The GitHub Action's steps (action.yml): `install` puts gonogo on the runner's Python,
# `run` runs one command with the action's inputs, appends the Markdown report to
# $GITHUB_STEP_SUMMARY, prints `::error file=…,line=…::` annotations for the checklist
# lines that failed, sets the `exit-code` output, and exits with gonogo's exit code.
# Inputs arrive as GONOGO_ACTION_* variables: never interpolated into the script's text.
set -euo pipefail

install() {
  local extras="${GONOGO_ACTION_EXTRAS// /}" spec
  if [ -n "${GONOGO_ACTION_GONOGO_VERSION:-}" ]; then
    spec="gonogo${extras:+[$extras]}==${GONOGO_ACTION_GONOGO_VERSION}"
  else  # the action's own copy: the tag the workflow pinned is the gonogo it gets
    spec="${GITHUB_ACTION_PATH}${extras:+[$extras]}"
  fi
  python -m pip install --disable-pip-version-check -q "$spec"
  gonogo --version
}

run() {
  local command="${GONOGO_ACTION_COMMAND:-check}" reports="${RUNNER_TEMP:-/tmp}/gonogo-report"
  local -a args=("$command") extra=() common=()
  read -r -a extra <<<"${GONOGO_ACTION_ARGS:-}"
  [ -z "${GONOGO_ACTION_CONFIG:-}" ] || common+=(--config "$GONOGO_ACTION_CONFIG")
  args+=("${common[@]}")
  [ -z "${GONOGO_ACTION_ENVIRONMENT:-}" ] || args+=(--env "$GONOGO_ACTION_ENVIRONMENT")
  [ -z "${GONOGO_ACTION_VERSION:-}" ] || args+=(--version "$GONOGO_ACTION_VERSION")
  mkdir -p "$reports"
  rm -f "$reports/summary.md"
  case "$command" in
    check | backup)  # reports of this very run, written by the run itself
      args+=(--report "markdown:$reports/summary.md" --report github:-) ;;
  esac
  set +e
  gonogo "${args[@]}" "${extra[@]}"
  local code=$?
  set -e
  case "$command" in
    deploy | rollback | resume)  # a run was recorded unless the command line was refused
      if [ "$code" != 2 ]; then
        gonogo report last --format github "${common[@]}" || true
        gonogo report last --format markdown -o "$reports/summary.md" "${common[@]}" || true
      fi ;;
  esac
  if [ -s "$reports/summary.md" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    cat "$reports/summary.md" >>"$GITHUB_STEP_SUMMARY"
  fi
  [ -z "${GITHUB_OUTPUT:-}" ] || echo "exit-code=$code" >>"$GITHUB_OUTPUT"
  return "$code"
}

case "${1:-}" in
  install) install ;;
  run) run ;;
  *) echo "usage: $0 install|run" >&2; exit 2 ;;
esac
