// Builds the front end into site/static (git-ignored): the council's Sass on GOV.UK Frontend,
// GOV.UK Frontend's JavaScript and our small module that starts it.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const out = join(here, '..', 'static')
const govuk = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')

for (const folder of ['css', 'js', 'images']) mkdirSync(join(out, folder), { recursive: true })

const result = sass.compile(join(here, 'scss', 'council.scss'), {
  loadPaths: [join(root, 'node_modules')],
  style: 'compressed',
  sourceMap: false,
  quietDeps: true,
})
writeFileSync(join(out, 'css', 'council.css'), result.css)

copyFileSync(join(govuk, 'govuk-frontend.min.js'), join(out, 'js', 'govuk-frontend.min.js'))
copyFileSync(join(here, 'js', 'council.js'), join(out, 'js', 'council.js'))
copyFileSync(join(here, 'images', 'favicon.svg'), join(out, 'images', 'favicon.svg'))

console.log(`Built ${result.css.length} bytes of CSS into ${out}`)
