"""Hugging Face Accelerate loop: generic `loss` names, accelerator.backward(); the G step negates D's fake loss."""
# expect: T01=pass T02=fail T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=fail in the G step loss = -bce(D(fake), zeros) is backpropagated before gen_opt.step()
# reason: T04=pass D has BatchNorm2d; real and fake pass through it separately
import torch
import torch.nn as nn
from accelerate import Accelerator
from torchvision import datasets, transforms

accelerator = Accelerator()
tf = transforms.Compose([transforms.Resize(32), transforms.CenterCrop(32), transforms.ToTensor(), transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])])
dataset = datasets.ImageFolder("faces", transform=tf)
loader = torch.utils.data.DataLoader(dataset, batch_size=64, shuffle=True)
generator = nn.Sequential(
    nn.ConvTranspose2d(100, 256, 4, 1, 0), nn.BatchNorm2d(256), nn.ReLU(True),
    nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.ReLU(True),
    nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(True),
    nn.ConvTranspose2d(64, 3, 4, 2, 1), nn.Tanh(),
)
discriminator = nn.Sequential(
    nn.Conv2d(3, 64, 4, 2, 1), nn.LeakyReLU(0.2, True),
    nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2, True),
    nn.Conv2d(128, 1, 8, 1, 0), nn.Flatten(),
)
bce = nn.BCEWithLogitsLoss()
gen_opt = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
disc_opt = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
generator, discriminator, gen_opt, disc_opt, loader = accelerator.prepare(generator, discriminator, gen_opt, disc_opt, loader)

for epoch in range(10):
    for images, _ in loader:
        noise = torch.randn(images.size(0), 100, 1, 1, device=accelerator.device)
        fakes = generator(noise)
        real_out, fake_out = discriminator(images), discriminator(fakes.detach())
        loss = bce(real_out, torch.ones_like(real_out)) + bce(fake_out, torch.zeros_like(fake_out))
        disc_opt.zero_grad()
        accelerator.backward(loss)
        disc_opt.step()
        out = discriminator(fakes)
        loss = bce(out, torch.zeros_like(out))
        loss = -loss
        gen_opt.zero_grad()
        accelerator.backward(loss)
        gen_opt.step()
