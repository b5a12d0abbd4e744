import { mount } from 'svelte'
import App from './App.svelte'
import './app.css'
import './lib/panels/panel.css'

document.body.dataset.mapReady = 'false'
document.body.dataset.hexesReady = 'false'

const target = document.getElementById('app')
if (!target) throw new Error('#app is missing from index.html')

export default mount(App, { target })
