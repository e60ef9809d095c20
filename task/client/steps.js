// CAMS steps: nothing here. The steps are shown as a detail of processes, and that detail
// gets its NOMAD entry links from the processes client module (nomad_link_steps).
